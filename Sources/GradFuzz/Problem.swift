/// A fully-connected network in the seed's notation: layer sizes m_0, …, m_L, and for each layer
/// l = 1…L its activation f_l, W^(l) (m_{l−1} rows × m_l columns, row j column k holding w_jk)
/// and b^(l) (m_l entries). Arrays are 0-based: `W[l - 1]` is W^(l).
public struct Network: Equatable, Sendable {
    public var layers: [Int]
    public var activations: [Activation]
    public var W: [Matrix]
    public var b: [[Double]]

    public init(layers: [Int], activations: [Activation], W: [Matrix], b: [[Double]]) {
        self.layers = layers
        self.activations = activations
        self.W = W
        self.b = b
    }

    /// L, the number of layers with weights.
    public var depth: Int { activations.count }
    /// The number of weights and biases.
    public var parameterCount: Int { (1...depth).reduce(0) { $0 + layers[$1 - 1] * layers[$1] + layers[$1] } }
}

/// One gradient-checking problem: a network, a loss and a batch of m samples.
/// Row i of X is x^(i) = a^(i,0); row i of Y is y^(i).
public struct Problem: Equatable, Sendable {
    public var network: Network
    public var loss: Loss
    public var X: Matrix
    public var Y: Matrix

    public init(network: Network, loss: Loss, X: Matrix, Y: Matrix) {
        self.network = network
        self.loss = loss
        self.X = X
        self.Y = Y
    }

    /// m, the number of samples.
    public var batchSize: Int { X.rows }
}

/// A problem as it arrives in JSON, before anything about it is known to be right.
public struct RawProblem: Codable, Sendable {
    public var layers: [Int]?
    public var activations: [String]?
    public var loss: String?
    public var W: [[[Double]]]?
    public var b: [[Double]]?
    public var X: [[Double]]?
    public var Y: [[Double]]?

    public init(_ problem: Problem) {
        layers = problem.network.layers
        activations = problem.network.activations.map(\.rawValue)
        loss = problem.loss.rawValue
        W = problem.network.W.map(\.nested)
        b = problem.network.b
        X = problem.X.nested
        Y = problem.Y.nested
    }
}

/// What is wrong with an input, said so that its author can fix it: the field and what was expected.
public struct InputError: Error, CustomStringConvertible, Equatable {
    public var field: String
    public var message: String
    /// The file the input came from, when it came from one.
    public var file: String?

    public init(field: String, _ message: String, file: String? = nil) {
        self.field = field
        self.message = message
        self.file = file
    }

    public var description: String {
        (file.map { "\($0): " } ?? "") + "\"\(field)\": \(message)"
    }
}

extension Problem {
    /// Checks every field of `raw` and builds the problem, or says which field is wrong and how.
    public init(validating raw: RawProblem) throws(InputError) {
        func require<T>(_ value: T?, _ field: String) throws(InputError) -> T {
            guard let value else { throw InputError(field: field, "missing") }
            return value
        }
        let layers = try require(raw.layers, "layers")
        guard layers.count >= 2 else {
            throw InputError(field: "layers", "expected at least 2 sizes [m_0, …, m_L], got \(layers.count)")
        }
        if let k = layers.firstIndex(where: { $0 < 1 }) {
            throw InputError(field: "layers[\(k)]", "expected a size ≥ 1, got \(layers[k])")
        }
        let depth = layers.count - 1
        let names = try require(raw.activations, "activations")
        guard names.count == depth else {
            throw InputError(field: "activations", "expected \(depth) names (one per layer for layers \(layers)), got \(names.count)")
        }
        var activations: [Activation] = []
        for (l, name) in names.enumerated() {
            guard let f = Activation(rawValue: name) else {
                throw InputError(field: "activations[\(l)]", "unknown activation \"\(name)\"; expected one of \(Activation.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            activations.append(f)
        }
        let lossName = try require(raw.loss, "loss")
        guard let loss = Loss(rawValue: lossName) else {
            throw InputError(field: "loss", "unknown loss \"\(lossName)\"; expected one of \(Loss.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let required = loss.requiredOutput, activations[depth - 1] != required {
            throw InputError(field: "activations[\(depth - 1)]", "\(loss.rawValue) needs a \(required.rawValue) output layer, got \(activations[depth - 1].rawValue)")
        }
        let W = try require(raw.W, "W")
        guard W.count == depth else {
            throw InputError(field: "W", "expected \(depth) matrices for layers \(layers), got \(W.count)")
        }
        var weights: [Matrix] = []
        for l in 0..<depth {
            weights.append(try Self.matrix(W[l], rows: layers[l], columns: layers[l + 1], field: "W[\(l)]",
                                           hint: "W^(\(l + 1)) has m_\(l) rows and m_\(l + 1) columns"))
        }
        let b = try require(raw.b, "b")
        guard b.count == depth else {
            throw InputError(field: "b", "expected \(depth) vectors for layers \(layers), got \(b.count)")
        }
        for l in 0..<depth {
            guard b[l].count == layers[l + 1] else {
                throw InputError(field: "b[\(l)]", "expected \(layers[l + 1]) numbers (m_\(l + 1)), got \(b[l].count)")
            }
            try Self.requireFinite(b[l], field: "b[\(l)]")
        }
        let rawX = try require(raw.X, "X")
        guard !rawX.isEmpty else { throw InputError(field: "X", "the batch is empty; expected at least one sample") }
        let X = try Self.matrix(rawX, rows: rawX.count, columns: layers[0], field: "X", hint: "row i is sample x^(i) with m_0 entries")
        let rawY = try require(raw.Y, "Y")
        let Y = try Self.matrix(rawY, rows: rawX.count, columns: layers[depth], field: "Y",
                                hint: "one target row of m_\(depth) entries per sample of X")
        for i in 0..<Y.rows {
            if let problem = loss.targetProblem(Y.row(i)) { throw InputError(field: "Y[\(i)]", problem) }
        }
        self.init(network: Network(layers: layers, activations: activations, W: weights, b: b), loss: loss, X: X, Y: Y)
        let (z, _, losses) = Reference.forward(self)
        if let i = losses.firstIndex(where: { !$0.isFinite }) {
            if let l = z.firstIndex(where: { !$0.storage.allSatisfy(\.isFinite) }) {
                throw InputError(field: "W", "z^(\(l + 1)) of sample \(i) overflows: weights and inputs this large are beyond Double")
            }
            throw InputError(field: "Y", "the loss of sample \(i) is not finite: targets this far from the outputs overflow Double")
        }
    }

    static func matrix(_ rows: [[Double]], rows expectedRows: Int, columns: Int, field: String, hint: String) throws(InputError) -> Matrix {
        let got = "\(rows.count)×\(rows.first?.count ?? 0)"
        guard rows.count == expectedRows, rows.allSatisfy({ $0.count == columns }) else {
            var message = "expected \(expectedRows)×\(columns) (\(hint)), got "
            if let r = rows.firstIndex(where: { $0.count != rows.first?.count }) {
                message += "rows of different lengths (row \(r) has \(rows[r].count))"
            } else {
                message += got
                if rows.count == columns && rows.first?.count == expectedRows && columns != expectedRows {
                    message += " — is it transposed?"
                }
            }
            throw InputError(field: field, message)
        }
        for (r, row) in rows.enumerated() { try requireFinite(row, field: "\(field)[\(r)]") }
        return Matrix(rows: rows, columns: columns)
    }

    static func requireFinite(_ values: [Double], field: String) throws(InputError) {
        if let k = values.firstIndex(where: { !$0.isFinite }) {
            throw InputError(field: "\(field)[\(k)]", "expected a finite number, got \(values[k])")
        }
    }
}

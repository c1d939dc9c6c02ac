/// A problem as it arrives in JSON, before anything about it is known to be right.
public struct RawProblem: Codable, Sendable {
    public var layers: [Int]?
    public var activations: [String]?
    public var loss: String?
    public var W: [[[Double]]]?
    public var b: [[Double]]?
    public var X: [[Double]]?
    public var Y: [[Double]]?

    public init(
        layers: [Int]? = nil, activations: [String]? = nil, loss: String? = nil, W: [[[Double]]]? = nil,
        b: [[Double]]? = nil, X: [[Double]]? = nil, Y: [[Double]]? = nil
    ) {
        self.layers = layers
        self.activations = activations
        self.loss = loss
        self.W = W
        self.b = b
        self.X = X
        self.Y = Y
    }

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
                throw InputError(
                    field: "activations[\(l)]", "unknown activation \"\(name)\"; expected one of \(Activation.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            activations.append(f)
        }
        let lossName = try require(raw.loss, "loss")
        guard let loss = Loss(rawValue: lossName) else {
            throw InputError(field: "loss", "unknown loss \"\(lossName)\"; expected one of \(Loss.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let required = loss.requiredOutput, activations[depth - 1] != required {
            throw InputError(
                field: "activations[\(depth - 1)]", "\(loss.rawValue) needs a \(required.rawValue) output layer, got \(activations[depth - 1].rawValue)")
        }
        let W = try require(raw.W, "W")
        guard W.count == depth else {
            throw InputError(field: "W", "expected \(depth) matrices for layers \(layers), got \(W.count)")
        }
        var weights: [Matrix] = []
        for l in 0..<depth {
            let shape = ExpectedShape(rows: layers[l], columns: layers[l + 1], names: "W^(\(l + 1)) has m_\(l) rows and m_\(l + 1) columns")
            weights.append(try Self.matrix(W[l], shape, field: "W[\(l)]"))
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
        let X = try Self.matrix(rawX, ExpectedShape(rows: rawX.count, columns: layers[0], names: "row i is sample x^(i) with m_0 entries"), field: "X")
        let rawY = try require(raw.Y, "Y")
        let Y = try Self.matrix(
            rawY, ExpectedShape(rows: rawX.count, columns: layers[depth], names: "one target row of m_\(depth) entries per sample of X"), field: "Y")
        for i in 0..<Y.rows {
            if let problem = loss.targetProblem(Y.row(i)) { throw InputError(field: "Y[\(i)]", problem) }
        }
        self.init(network: Network(layers: layers, activations: activations, W: weights, b: b), loss: loss, X: X, Y: Y)
        // Every z and a must be finite, whatever the activation: tanh or sigmoid maps an overflowed z
        // to a finite a, and the loss alone would not show it (nor could the oracle differentiate it).
        let (z, a, losses) = Reference.forward(self)
        for l in 0..<depth {
            for (name, values) in [("z", z[l]), ("a", a[l])] {
                guard let k = values.storage.firstIndex(where: { !$0.isFinite }) else { continue }
                let what = name == "z" ? "z^(\(l + 1))" : "a^(\(l + 1)) = \(activations[l].rawValue)(z^(\(l + 1)))"
                throw InputError(
                    field: "W",
                    "\(what) of sample \(k / values.columns) overflows (unit \(k % values.columns) is \(values.storage[k])): weights, biases and inputs this large are beyond Double"
                )
            }
        }
        if let i = losses.firstIndex(where: { !$0.isFinite }) {
            throw InputError(field: "Y", "the loss of sample \(i) is not finite: targets this far from the outputs overflow Double")
        }
    }

    /// The nested rows as a matrix of `shape`, every entry finite; or which field is wrong and how.
    package static func matrix(_ nested: [[Double]], _ shape: ExpectedShape, field: String) throws(InputError) -> Matrix {
        if let why = shape.mismatch(nested, owner: "it") { throw InputError(field: field, why) }
        for (r, row) in nested.enumerated() { try requireFinite(row, field: "\(field)[\(r)]") }
        return Matrix(rows: nested, columns: shape.columns)
    }

    package static func requireFinite(_ values: [Double], field: String) throws(InputError) {
        if let k = values.firstIndex(where: { !$0.isFinite }) {
            throw InputError(field: "\(field)[\(k)]", "expected a finite number, got \(values[k])")
        }
    }
}

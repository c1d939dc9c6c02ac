import GradFuzzCore

/// The edits the shrinker makes to a problem: fewer samples, fewer units in a size, one layer
/// fewer, one list of numbers replaced. Each gives a problem of consistent shapes (whether it is a
/// case worth checking is `Problem.isFuzzable`'s to say).
extension Problem {
    /// The problem with only the given samples (rows of X and Y), in order; nil for none.
    func keepingSamples(_ samples: [Int]) -> Problem? {
        guard !samples.isEmpty else { return nil }
        var candidate = self
        candidate.X = Self.rows(samples, of: X)
        candidate.Y = Self.rows(samples, of: Y)
        return candidate
    }

    /// The problem with only the given units (in order) of size m_s: columns of W^(s), b^(s) and of
    /// X or Y, rows of W^(s+1). Cross-entropy targets are renormalised to sum to 1. nil for none.
    func keepingUnits(_ units: [Int], atSize s: Int) -> Problem? {
        guard !units.isEmpty else { return nil }
        var candidate = self
        var net = network
        net.layers[s] = units.count
        if s >= 1 {
            net.W[s - 1] = Self.columns(units, of: net.W[s - 1])
            net.b[s - 1] = units.map { net.b[s - 1][$0] }
        } else {
            candidate.X = Self.columns(units, of: X)
        }
        if s < net.depth {
            net.W[s] = Self.rows(units, of: net.W[s])
        } else {
            candidate.Y = Self.columns(units, of: Y)
            if loss == .crossEntropy {
                for i in 0..<candidate.Y.rows {
                    let row = candidate.Y.row(i)
                    let total = row.reduce(0, +)
                    for k in row.indices { candidate.Y[i, k] = total > 0 ? row[k] / total : 1 / Double(row.count) }
                }
            }
        }
        candidate.network = net
        return candidate
    }

    /// The network without hidden size m_s (1 ≤ s < L): layers s and s + 1 become one layer from
    /// m_{s−1} to m_{s+1}, with layer s + 1's weights, activation and bias (rows resized) when
    /// `keepUpper`, else layer s's (columns resized). nil when there is no such size.
    func mergingLayers(at s: Int, keepUpper: Bool) -> Problem? {
        let net = network
        guard s >= 1, s < net.depth else { return nil }
        var layers = net.layers
        layers.remove(at: s)
        var W = net.W, b = net.b, activations = net.activations
        let (rows, columns) = (net.layers[s - 1], net.layers[s + 1])
        let kept = keepUpper ? s : s - 1
        W[kept] = Self.resized(net.W[kept], rows: rows, columns: columns)
        b[kept] = (0..<columns).map { net.b[kept][$0 % net.b[kept].count] }
        let dropped = keepUpper ? s - 1 : s
        W.remove(at: dropped)
        b.remove(at: dropped)
        activations.remove(at: dropped)
        var candidate = self
        candidate.network = Network(layers: layers, activations: activations, W: W, b: b)
        return candidate
    }

    /// The numbers of one field, row by row; set whole (of the same count) to replace them.
    subscript(field: NumberField) -> [Double] {
        get {
            switch field {
            case .weight(let p): return network.W[p].storage
            case .bias(let p): return network.b[p]
            case .input: return X.storage
            case .target: return Y.storage
            }
        }
        set {
            switch field {
            case .weight(let p): network.W[p].storage = newValue
            case .bias(let p): network.b[p] = newValue
            case .input: X.storage = newValue
            case .target: Y.storage = newValue
            }
        }
    }

    /// How many of X, Y, the W and the b are all 0: degenerate, as the entries of a gradient then
    /// vanish together and mistakes become indistinguishable. Shrinking never adds one (and tries
    /// to remove those a case was drawn with, as a 0/1 target can be).
    var allZeroFields: Int {
        func zero(_ values: [Double]) -> Bool { values.allSatisfy { $0 == 0 } }
        return [zero(X.storage), zero(Y.storage)].count { $0 } + network.W.count { zero($0.storage) } + network.b.count(where: zero)
    }

    /// The matrix cut or extended (repeating its rows and columns cyclically) to rows × columns.
    static func resized(_ m: Matrix, rows: Int, columns: Int) -> Matrix {
        var out = Matrix(rows: rows, columns: columns)
        for r in 0..<rows { for c in 0..<columns { out[r, c] = m[r % m.rows, c % m.columns] } }
        return out
    }

    static func rows(_ indices: [Int], of m: Matrix) -> Matrix {
        Matrix(rows: indices.map { m.row($0) }, columns: m.columns)
    }

    static func columns(_ indices: [Int], of m: Matrix) -> Matrix {
        Matrix(rows: (0..<m.rows).map { r in indices.map { m[r, $0] } }, columns: indices.count)
    }
}

/// A list of numbers of a problem that the number pass simplifies one by one.
enum NumberField: Hashable {
    case weight(Int), bias(Int), input, target

    /// Whether an entry may become 0 (never all of them: the values of a field differ from one
    /// another). A weight or an input of 0 hides a row of dW, so only biases and targets take it.
    var allowsZero: Bool {
        switch self {
        case .bias, .target: return true
        case .weight, .input: return false
        }
    }

    /// Every field, in the order they are simplified. Targets only where one target can change
    /// alone and stay in the domain (not cross_entropy, whose rows sum to 1; hinge's ±1 never shrink).
    static func all(in problem: Problem) -> [NumberField] {
        let depth = problem.network.depth
        var fields = (0..<depth).map(NumberField.weight) + (0..<depth).map(NumberField.bias) + [.input]
        if problem.loss != .crossEntropy && problem.loss != .hinge { fields.append(.target) }
        return fields
    }
}

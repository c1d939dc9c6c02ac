/// The shape a matrix must have, with the words that name it: "m_0 rows × m_1 columns".
public struct ExpectedShape: Equatable, Sendable {
    public var rows: Int
    public var columns: Int
    /// How docs/notation.md names the shape, said in a message after "expected R×C".
    public var names: String

    public init(rows: Int, columns: Int, names: String) {
        self.rows = rows
        self.columns = columns
        self.names = names
    }

    /// Why nested rows do not form this shape, or nil when they do: rows of different lengths, the
    /// wrong size, or the transposed size (said as "— is `owner` transposed?").
    public func mismatch(_ nested: [[Double]], owner: String) -> String? {
        let columnsGot = nested.first?.count ?? 0
        if let r = nested.firstIndex(where: { $0.count != columnsGot }) {
            return "expected \(rows)×\(columns) (\(names)), got rows of different lengths (row 0 has \(columnsGot), row \(r) has \(nested[r].count))"
        }
        return mismatch(rows: nested.count, columns: columnsGot, owner: owner)
    }

    /// Why a gotRows × gotColumns matrix is not of this shape, or nil when it is.
    public func mismatch(rows gotRows: Int, columns gotColumns: Int, owner: String) -> String? {
        guard gotRows != rows || gotColumns != columns else { return nil }
        var message = "expected \(rows)×\(columns) (\(names)), got \(gotRows)×\(gotColumns)"
        if gotRows == columns && gotColumns == rows && rows != columns { message += " — is \(owner) transposed?" }
        return message
    }
}

/// The shapes of every gradient matrix of a problem: one checker for answers, protocol replies and fixture files.
public struct AnswerShape: Sendable {
    /// dW^(l) and W^(l): m_{l−1} × m_l.
    public var weights: [ExpectedShape]
    /// db^(l) as a row: 1 × m_l.
    public var biases: [ExpectedShape]
    /// g^(i,l), z^(i,l), a^(i,l) stacked over the samples: m × m_l.
    public var perSample: [ExpectedShape]

    public init(_ problem: Problem) {
        let layers = problem.network.layers, m = problem.batchSize
        weights = (1..<layers.count).map {
            ExpectedShape(rows: layers[$0 - 1], columns: layers[$0], names: "m_\($0 - 1) rows × m_\($0) columns, shaped as W[\($0 - 1)]")
        }
        biases = (1..<layers.count).map { ExpectedShape(rows: 1, columns: layers[$0], names: "m_\($0) numbers") }
        perSample = (1..<layers.count).map {
            ExpectedShape(rows: m, columns: layers[$0], names: "one row per sample (m = \(m)) × m_\($0) columns")
        }
    }

    /// Why `matrices` are not one per layer of the `expected` shapes, said for `field` ("dW"), or nil.
    public static func mismatch(_ matrices: [Matrix], _ expected: [ExpectedShape], field: String) -> String? {
        guard matrices.count == expected.count else {
            return "\"\(field)\": expected \(expected.count) entries (one per layer), got \(matrices.count)"
        }
        for (l, (matrix, shape)) in zip(matrices, expected).enumerated() {
            if let why = shape.mismatch(rows: matrix.rows, columns: matrix.columns, owner: "your \(field)") {
                return "\"\(field)[\(l)]\": \(why)"
            }
        }
        return nil
    }
}

extension Answer {
    /// Why this answer cannot be compared entry by entry with the problem's gradient (a wrong
    /// number of layers, a matrix of the wrong shape), or nil when it can.
    public func shapeMismatch(for problem: Problem) -> ShapeMismatch? {
        let shape = AnswerShape(problem)
        let why =
            AnswerShape.mismatch(dW, shape.weights, field: "dW")
            ?? AnswerShape.mismatch(db.map { Matrix(row: $0) }, shape.biases, field: "db")
            ?? delta.flatMap { AnswerShape.mismatch($0, shape.perSample, field: "delta") }
        return why.map(ShapeMismatch.init)
    }
}

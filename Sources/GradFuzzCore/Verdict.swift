/// Which gradient matrix of a layer an entry belongs to.
public enum Quantity: String, Codable, Sendable, CaseIterable {
    /// ∂Cost/∂W^(l): m_{l−1} × m_l.
    case dW
    /// ∂Cost/∂b^(l): one row of m_l.
    case db
    /// g^(i,l) = ∂L_i/∂z^(i,l): m rows (samples) × m_l.
    case delta
    /// The cost itself (layer 0): not a gradient, but a student's forward pass shows in it.
    case cost
}

/// One entry compared: where it is, what was expected, what came, and the largest difference allowed.
public struct Entry: Equatable, Sendable, CustomStringConvertible {
    /// The layer number l of docs/notation.md, 1…L.
    public var layer: Int
    public var quantity: Quantity
    public var row: Int
    public var column: Int
    public var expected: Double
    public var got: Double
    public var bound: Double

    public init(layer: Int, quantity: Quantity, row: Int, column: Int, expected: Double, got: Double, bound: Double) {
        self.layer = layer
        self.quantity = quantity
        self.row = row
        self.column = column
        self.expected = expected
        self.got = got
        self.bound = bound
    }

    public var error: Double { abs(got - expected) }
    /// error / bound: above 1 fails.
    public var severity: Double { bound > 0 ? error / bound : (error == 0 ? 0 : .infinity) }

    /// As the program indexes its arrays, then the layer: "dW[1][0, 3] (layer 2)" for a weight,
    /// "db[1][3] (layer 2)", "delta[1][1, 3] (layer 2, sample 1)". A program's dW[0] is layer 1's.
    public var place: String {
        switch quantity {
        case .dW: return "dW[\(layer - 1)][\(row), \(column)] (layer \(layer))"
        case .db: return "db[\(layer - 1)][\(column)] (layer \(layer))"
        case .delta: return "delta[\(layer - 1)][\(row), \(column)] (layer \(layer), sample \(row))"
        case .cost: return "cost"
        }
    }

    public var description: String {
        guard got.isFinite else { return "\(place): expected \(expected), got \(got), not a finite number" }
        return "\(place): expected \(expected), got \(got), |difference| \(error) (allowed \(bound))"
    }
}

/// The comparison of one gradient matrix of one layer, entry by entry.
public struct MatrixVerdict: Equatable, Sendable {
    public var layer: Int
    public var quantity: Quantity
    public var rows: Int
    public var columns: Int
    /// Entries compared (all but those not checkable at a kink).
    public var checked = 0
    /// Entries whose difference stencil crossed a kink: neither passed nor failed.
    public var kinks = 0
    /// Per entry, row by row: whether it failed.
    public var failed: [Bool]
    /// Per entry, row by row: whether it sat at a kink.
    public var atKink: [Bool]
    public var maxAbsError = 0.0
    public var maxRelError = 0.0
    /// The entry closest to failing (or furthest past it).
    public var worst: Entry?
    /// The failing entries, worst first.
    public var failures: [Entry] = []

    public var passed: Bool { failures.isEmpty }

    package init(
        layer: Int, quantity: Quantity, expected: Matrix, got: Matrix, error: Matrix?, rounding: Matrix? = nil, kink: [Bool]?,
        tolerance: Tolerance
    ) {
        precondition(expected.rows == got.rows && expected.columns == got.columns, "shapes are checked before comparing")
        self.layer = layer
        self.quantity = quantity
        rows = expected.rows
        columns = expected.columns
        failed = Array(repeating: false, count: rows * columns)
        atKink = kink ?? Array(repeating: false, count: rows * columns)
        for r in 0..<rows {
            for c in 0..<columns {
                let index = r * columns + c
                if atKink[index] { kinks += 1; continue }
                checked += 1
                let e = expected[r, c], g = got[r, c], err = error?[r, c] ?? 0, allowance = rounding?[r, c] ?? 0
                let entry = Entry(
                    layer: layer, quantity: quantity, row: r, column: c, expected: e, got: g,
                    bound: tolerance.bound(expected: e, got: g, error: err, rounding: allowance))
                let difference = g.isFinite ? entry.error : .infinity
                maxAbsError = max(maxAbsError, difference)
                if e != 0 || difference != 0 { maxRelError = max(maxRelError, difference / max(abs(e), abs(g))) }
                if worst.map({ entry.severity > $0.severity }) ?? true { worst = entry }
                if !tolerance.accepts(expected: e, got: g, error: err, rounding: allowance) {
                    failed[index] = true
                    failures.append(entry)
                }
            }
        }
        failures.sort { $0.severity > $1.severity }
    }
}

/// The verdict on an answer: every entry of every layer's dW, db and (when given) g, compared.
public struct Verdict: Equatable, Sendable {
    /// Layer by layer, from layer 1 up: dW, db, then delta when it was compared.
    public var matrices: [MatrixVerdict]
    /// The answer's cost against the expected cost, when both are known.
    public var cost: Entry?
    public var costPassed = true

    public var passed: Bool { costPassed && matrices.allSatisfy(\.passed) }
    public var checked: Int { matrices.reduce(0) { $0 + $1.checked } }
    public var kinks: Int { matrices.reduce(0) { $0 + $1.kinks } }
    public var failureCount: Int { matrices.reduce(0) { $0 + $1.failures.count } }

    /// The layer where the backward pass first goes wrong, counting from the output (as the
    /// backward pass runs): the highest layer whose g fails, or, without g, whose dW or db fails.
    public var firstWrongLayer: Int? {
        let failing = matrices.filter { !$0.passed }
        let byDelta = failing.filter { $0.quantity == .delta }
        return (byDelta.isEmpty ? failing : byDelta).map(\.layer).max()
    }

    /// The first wrong gradient matrix, as the backward pass runs: in layer `firstWrongLayer`, its
    /// g when that fails, else its dW, else its db. Nil when every gradient entry is right.
    public var firstWrongMatrix: MatrixVerdict? {
        guard let layer = firstWrongLayer else { return nil }
        let failing = matrices.filter { $0.layer == layer && !$0.passed }
        return [Quantity.delta, .dW, .db].lazy.compactMap { q in failing.first { $0.quantity == q } }.first
    }

    /// The verdict from matrices already compared.
    package init(matrices: [MatrixVerdict]) {
        self.matrices = matrices
    }

    /// Compares the answer's cost, when it has one, with the expected cost; a non-finite cost
    /// fails. `rounding` is the program's own rounding allowed on top (`EntryBounds.cost`).
    package mutating func compareCost(got: Double?, expected: Double, tolerance: Tolerance, rounding: Double = 0) {
        guard let got else { return }
        cost = Entry(
            layer: 0, quantity: .cost, row: 0, column: 0, expected: expected, got: got,
            bound: tolerance.bound(expected: expected, got: got, rounding: rounding))
        costPassed = tolerance.accepts(expected: expected, got: got, rounding: rounding)
    }

    /// An answer's entries against expected values (a fixture's reference values); delta is
    /// compared when both sides have it. `rounding`, when given, is the program's own rounding
    /// allowed on top of the tolerance (`Tolerance.programRounding(for:)`). The cost is not compared
    /// here: a `Judgement` (GradFuzzJudging) compares it, wherever an answer is judged.
    public init(answer: Answer, expected: Answer, tolerance: Tolerance, rounding: EntryBounds? = nil) {
        matrices = []
        func verdict(_ p: Int, _ quantity: Quantity, _ want: Matrix, _ got: Matrix) -> MatrixVerdict {
            MatrixVerdict(
                layer: p + 1, quantity: quantity, expected: want, got: got, error: nil,
                rounding: rounding.map { $0.matrix(quantity, layer: p + 1) }.flatMap { $0.rows == got.rows ? $0 : nil }, kink: nil, tolerance: tolerance)
        }
        for p in answer.dW.indices {
            matrices.append(verdict(p, .dW, expected.dW[p], answer.dW[p]))
            matrices.append(verdict(p, .db, Matrix(row: expected.db[p]), Matrix(row: answer.db[p])))
            if let got = answer.delta, let want = expected.delta {
                matrices.append(verdict(p, .delta, want[p], got[p]))
            }
        }
    }
}

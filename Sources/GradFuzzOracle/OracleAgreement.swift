import GradFuzzCore

/// How two oracles' results for one problem compare, entry by entry over dW, db and (when both
/// have it) g: each entry's difference against the sum of the two error estimates.
///
/// Two oracles agree on an entry when
///
///     |x₁ − x₂| ≤ e₁ + e₂
///
/// which both must satisfy if each estimate bounds its own error: the exact derivative lies within
/// e₁ of x₁ and within e₂ of x₂. An entry that either oracle found at a kink is not compared.
/// No factor is allowed on the estimates here, unlike the verdict's 10·err.
public struct OracleAgreement: Sendable, Equatable {
    /// Entries compared (at a kink in neither oracle).
    public var compared = 0
    /// Entries at a kink in one oracle or both.
    public var kinks = 0
    /// Entries outside e₁ + e₂, or not finite in one of them.
    public var disagreements = 0
    /// The first few of them (`x₁` as expected, `x₂` as got, e₁ + e₂ as the bound).
    public var examples: [Entry] = []
    /// The largest |x₁ − x₂| / (e₁ + e₂) (0 for equal values).
    public var worstRatio = 0.0
    /// Where it is, as "layer 2 dW[0, 3]".
    public var worstPlace = "none"
    /// Σ e₁ and Σ e₂ over the compared dW and db entries: how tight each oracle's estimates are.
    public var firstErrorSum = 0.0
    public var secondErrorSum = 0.0

    public var agrees: Bool { disagreements == 0 }

    static let keptExamples = 10

    public init() {}

    /// `first` against `second` on every entry both have.
    public init(_ first: OracleResult, _ second: OracleResult) {
        for p in first.dW.indices {
            compare(p, .dW, first.dW[p], second.dW[p])
            compare(p, .db, first.db[p], second.db[p])
            if first.delta[p].value.rows == second.delta[p].value.rows { compare(p, .delta, first.delta[p], second.delta[p]) }
        }
    }

    private mutating func compare(_ p: Int, _ quantity: Quantity, _ a: Estimates, _ b: Estimates) {
        for t in a.value.storage.indices {
            if a.kink[t] || b.kink[t] {
                kinks += 1
                continue
            }
            compared += 1
            let (x, y) = (a.value.storage[t], b.value.storage[t])
            let bound = a.error.storage[t] + b.error.storage[t]
            if quantity != .delta {
                firstErrorSum += a.error.storage[t]
                secondErrorSum += b.error.storage[t]
            }
            let difference = abs(x - y)
            let ratio = difference == 0 ? 0 : difference / bound
            let (r, c) = t.quotientAndRemainder(dividingBy: max(1, a.value.columns))
            let entry = Entry(layer: p + 1, quantity: quantity, row: r, column: c, expected: x, got: y, bound: bound)
            if !(ratio <= worstRatio) {
                worstRatio = ratio
                worstPlace = entry.place
            }
            if !(difference <= bound) {
                disagreements += 1
                if examples.count < Self.keptExamples { examples.append(entry) }
            }
        }
    }

    /// Another problem's comparison added to this one (the worst kept).
    public mutating func add(_ other: OracleAgreement) {
        compared += other.compared
        kinks += other.kinks
        disagreements += other.disagreements
        examples += other.examples.prefix(Self.keptExamples - min(examples.count, Self.keptExamples))
        firstErrorSum += other.firstErrorSum
        secondErrorSum += other.secondErrorSum
        if !(other.worstRatio <= worstRatio) {
            worstRatio = other.worstRatio
            worstPlace = other.worstPlace
        }
    }
}

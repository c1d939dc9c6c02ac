import Foundation

/// How simple a number is, and the simpler numbers a number may become.
extension Shrinker {
    /// The simple numbers, simplest first: small integers, then halves. Numbers that differ from one
    /// another and from 0 keep the entries of a gradient apart, so that one mistake does not look
    /// like another (with X = W = 0, a missing 1/m and σ(1 − z) for σ′ give the same numbers).
    static let simple: [Double] = [1, -1, 2, -2, 3, -3, 4, -4, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.5, -3.5]

    /// How complex a number is, for shrinking: 0 for 0, then 1, 2, … in the order of `simple`, then
    /// every other number by its significant digits. A number is only ever replaced by a simpler one.
    static func complexity(_ x: Double) -> Int {
        if x == 0 { return 0 }
        if let i = simple.firstIndex(of: x) { return 1 + i }
        return simple.count + significantDigits(x)
    }

    /// The numbers a field's values become when simplified all at once: each value, in order, the
    /// simplest of `simple` with its sign that no earlier value took. They differ from one another.
    static func simpleValues(like values: [Double]) -> [Double] {
        var taken: Set<Double> = []
        return values.map { x in
            let value =
                simple.first { ($0 < 0) == (x < 0) && !taken.contains($0) }
                ?? (taken.max() ?? 0) + 1
            taken.insert(value)
            return value
        }
    }

    /// Numbers simpler than x, simplest first: 0 (where allowed), the simple numbers, then x rounded
    /// to an integer, to a half and to 1, 2, 3, … significant digits; only those simpler than x.
    static func simplerValues(than x: Double, allowingZero: Bool = true) -> [Double] {
        var values: [Double] = allowingZero ? [0] : []
        values += simple
        values.append(x.rounded())
        values.append((2 * x).rounded() / 2)
        for d in 1..<max(1, significantDigits(x)) {
            values.append(Double(String(format: "%.\(d - 1)e", x)) ?? x)
        }
        let bound = complexity(x)
        var seen: Set<Double> = []
        // + 0.0 turns −0.0 into 0.0: rounding −0.3 gives −0.0, which is 0 and must not come back as a second 0.
        return values.map { $0 + 0.0 }.filter { (allowingZero || $0 != 0) && complexity($0) < bound && seen.insert($0).inserted }
    }

    /// The significant digits of x's shortest round-trip decimal ("0.25" has 2, "1200.0" has 2).
    static func significantDigits(_ x: Double) -> Int {
        guard x != 0 else { return 0 }
        var mantissa = "\(abs(x))"
        if let e = mantissa.firstIndex(where: { $0 == "e" || $0 == "E" }) { mantissa = String(mantissa[..<e]) }
        let digits = mantissa.filter(\.isNumber).drop { $0 == "0" }
        return max(1, digits.reversed().drop { $0 == "0" }.count)
    }
}

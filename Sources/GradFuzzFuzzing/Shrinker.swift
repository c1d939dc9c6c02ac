import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzMutants
import GradFuzzOracle

/// Reduces a failing case to a small one that still fails, in the manner of Hypothesis' shrinker.
///
/// Like Hypothesis (`internal/conjecture/shrinker.py`), it runs deterministic passes, each
/// proposing candidates simpler than the current best, simplest first, and keeps a candidate only
/// when the case still fails; the passes repeat until none makes progress. Every kept candidate is
/// strictly simpler (fewer samples, units or layers, simpler activations, loss or numbers), so
/// shrinking ends. The passes that make checking cheapest come first: the oracle's cost grows with
/// the batch and with the square of the number of weights, and a failing case is checked again for
/// every candidate.
///
/// 1. Fewer samples: keep only the first sample, the first half, or delete one sample.
/// 2. Narrow a layer: keep only the first unit, the first half, or delete one unit.
/// 3. Drop a layer: merge two adjacent layers into one, keeping either's weights (resized).
/// 4. Simpler functions: an activation becomes identity; the loss becomes squared_error.
/// 5. Simpler numbers: a whole matrix to small integers and halves of the same signs, then each
///    number to a simpler one — small integers first, then halves, then the number rounded to fewer
///    significant digits (1, 2, 3, …), as Hypothesis shrinks floats towards short decimals. The
///    numbers of a matrix stay different from one another, and X, Y and W never become 0, so that
///    the entries of a wrong gradient stay apart and one mistake does not pass for another.
///
/// A candidate must also be a case the fuzzer could have drawn (`Problem.isFuzzable`): loss and
/// output activation compatible, targets in the loss's domain, finite, clear of every kink, and
/// inside the family the run draws from (an identity layer is no simpler for a program that
/// supports sigmoid only: its family's validate would skip the fixture).
/// What "still fails" means is the caller's: the fuzzer keeps a candidate only when it fails in the
/// same way as the case it found (`FailureSignature`), not merely when it fails.
public struct Shrinker: Sendable {
    public var kinkMargin: Double
    /// The family every candidate stays in.
    public var family: Family
    public var stop: StopSignal
    /// The most candidates checked against the implementation and the oracle.
    public var budget: Int
    /// Whether a case still fails.
    public var isFailing: @Sendable (Problem) async -> Bool

    public init(
        kinkMargin: Double = Distribution().kinkMargin, family: Family = .all, stop: StopSignal = StopSignal(), budget: Int = 1000,
        isFailing: @escaping @Sendable (Problem) async -> Bool
    ) {
        self.kinkMargin = kinkMargin
        self.family = family
        self.stop = stop
        self.budget = budget
        self.isFailing = isFailing
    }

    /// The smallest failing case the passes reach from `problem` (itself when nothing simpler fails).
    public func shrink(_ problem: Problem) async -> Problem {
        var state = State(best: problem, remaining: budget)
        var progress = true
        while progress && !state.exhausted {
            progress = false
            for pass in [fewerSamples, narrowLayers, dropLayers, simplerFunctions, simplerNumbers] {
                if await pass(&state) { progress = true }
                if state.exhausted { break }
            }
        }
        return state.best
    }

    /// The best case so far and what is left of the budget.
    struct State {
        var best: Problem
        var remaining: Int
        var exhausted: Bool { remaining <= 0 }
    }

    /// Keeps `candidate` when it is a valid case that still fails.
    private func consider(_ candidate: Problem?, _ state: inout State) async -> Bool {
        guard let candidate, candidate != state.best, !state.exhausted else { return false }
        if stop.raised { state.remaining = 0; return false }
        guard candidate.allZeroFields <= state.best.allZeroFields, candidate.isFuzzable(kinkMargin: kinkMargin), family.whyOutside(candidate) == nil
        else { return false }
        if candidate.hasDeadReluLayer && !state.best.hasDeadReluLayer { return false }
        state.remaining -= 1
        guard await isFailing(candidate) else { return false }
        state.best = candidate
        return true
    }

    /// Tries the candidates in order and keeps the first that still fails.
    private func first(_ candidates: [Problem?], _ state: inout State) async -> Bool {
        for candidate in candidates where await consider(candidate, &state) { return true }
        return false
    }

    // MARK: Passes

    private func dropLayers(_ state: inout State) async -> Bool {
        var progress = false
        var s = 1
        while s < state.best.network.depth {
            let p = state.best
            if await first([p.mergingLayers(at: s, keepUpper: true), p.mergingLayers(at: s, keepUpper: false)], &state) {
                progress = true
                s = 1
            } else {
                s += 1
            }
        }
        return progress
    }

    private func narrowLayers(_ state: inout State) async -> Bool {
        var progress = false
        for s in 0...state.best.network.depth {
            while true {
                let p = state.best
                let width = p.network.layers[s]
                guard width > 1 else { break }
                var candidates = [p.keepingUnits(Array(0..<1), atSize: s)]
                if width / 2 > 1 { candidates.append(p.keepingUnits(Array(0..<(width / 2)), atSize: s)) }
                for k in stride(from: width - 1, through: 0, by: -1) {
                    candidates.append(p.keepingUnits((0..<width).filter { $0 != k }, atSize: s))
                }
                guard await first(candidates, &state) else { break }
                progress = true
            }
        }
        return progress
    }

    private func fewerSamples(_ state: inout State) async -> Bool {
        var progress = false
        while true {
            let p = state.best
            let m = p.batchSize
            guard m > 1 else { break }
            var candidates = [p.keepingSamples(Array(0..<1))]
            if m / 2 > 1 { candidates.append(p.keepingSamples(Array(0..<(m / 2)))) }
            for i in stride(from: m - 1, through: 0, by: -1) { candidates.append(p.keepingSamples((0..<m).filter { $0 != i })) }
            guard await first(candidates, &state) else { break }
            progress = true
        }
        return progress
    }

    private func simplerFunctions(_ state: inout State) async -> Bool {
        var progress = false
        for l in 0..<state.best.network.depth where state.best.network.activations[l] != .identity {
            var candidate = state.best
            candidate.network.activations[l] = .identity
            if await consider(candidate, &state) { progress = true }
        }
        if state.best.loss != .squaredError {
            var candidate = state.best
            candidate.loss = .squaredError
            if await consider(candidate, &state) { progress = true }
        }
        return progress
    }

    private func simplerNumbers(_ state: inout State) async -> Bool {
        var progress = false
        for field in NumberField.all(in: state.best) {
            // The whole field at once first: one candidate may simplify many numbers.
            let values = state.best[field]
            if values.contains(where: { Self.complexity($0) >= Self.simple.count + 1 }) {
                var candidate = state.best
                candidate[field] = Self.simpleValues(like: values)
                if await consider(candidate, &state) { progress = true }
            }
            // A field drawn all 0 (targets of 0 and 1 can be): one entry made simple and non-zero.
            if values.allSatisfy({ $0 == 0 }) {
                var candidates: [Problem?] = []
                for t in values.indices {
                    for v in Self.simple.prefix(10) {
                        var candidate = state.best
                        candidate[field][t] = v
                        candidates.append(candidate)
                    }
                }
                if await first(candidates, &state) { progress = true }
            }
            for t in values.indices {
                let current = state.best[field]
                var candidates: [Problem?] = []
                for simpler in Self.simplerValues(than: current[t], allowingZero: field.allowsZero && current.count > 1)
                where !current.contains(simpler) {
                    var candidate = state.best
                    candidate[field][t] = simpler
                    candidates.append(candidate)
                }
                if await first(candidates, &state) { progress = true }
            }
        }
        return progress
    }

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

extension Problem {
    /// How many of X, Y, the W and the b are all 0: degenerate, as the entries of a gradient then
    /// vanish together and mistakes become indistinguishable. Shrinking never adds one (and tries
    /// to remove those a case was drawn with, as a 0/1 target can be).
    var allZeroFields: Int {
        func zero(_ values: [Double]) -> Bool { values.allSatisfy { $0 == 0 } }
        return [zero(X.storage), zero(Y.storage)].count { $0 } + network.W.count { zero($0.storage) } + network.b.count(where: zero)
    }

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

    /// The problem with only the given units (in order) of size m_s: columns of W^(s), b^(s) and of
    /// X or Y, rows of W^(s+1). Cross-entropy targets are renormalised to sum to 1.
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

    /// The problem with only the given samples (rows of X and Y), in order.
    func keepingSamples(_ samples: [Int]) -> Problem? {
        guard !samples.isEmpty else { return nil }
        var candidate = self
        candidate.X = Self.rows(samples, of: X)
        candidate.Y = Self.rows(samples, of: Y)
        return candidate
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

import GradFuzzCore

/// Reduces a failing case to a small one that still fails, in the manner of Hypothesis' shrinker
/// (`internal/conjecture/shrinker.py`; docs/shrinking.md tells how and why).
///
/// It runs deterministic passes in rounds, each pass proposing candidates simpler than the current
/// best and keeping a candidate only when the case still fails; the rounds repeat until one makes
/// no progress, first with the passes that change the shape (1–4 below), then with all of them.
/// Every kept candidate is strictly simpler (fewer samples, units or layers, simpler
/// activations, loss or numbers), so shrinking ends. As in Hypothesis:
///
/// - a pass walks its positions (a sample, a unit, a layer, a number) once per round and stays at
///   its position when a candidate is kept, rather than starting over: a round costs about as
///   many checks when candidates are kept as when none is;
/// - no candidate is checked twice: every candidate considered is remembered, and one proposed
///   again (the same problem, from another pass or round) is rejected without a check;
/// - deletion is adaptive: when deleting one item (sample or unit) works, 2, 4, 8, … items are
///   deleted at once, and the largest block that works is found by halving the gap (Hypothesis'
///   `find_integer`), so that n deletions cost O(log n) checks rather than n;
/// - special values come before the fine-grained candidates: one sample or unit, the first half
///   of them, a whole matrix of simple numbers.
///
/// The passes that make checking cheapest come first: the oracle's cost grows with the batch and
/// with the square of the number of weights, and the number pass, which costs a check per simpler
/// number tried, has fewer numbers to try once the shape is small.
///
/// 1. Fewer samples: keep only the first sample, or the first half, then delete samples
///    adaptively from the last.
/// 2. Narrow a layer: the same with the units of each size m_0 … m_L.
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
/// same way as the case it found (`FailureSignature`), not merely when it fails. It must give the
/// same answer for the same problem, as the remembered candidates are not asked again.
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

    /// What shrinking `problem` gave, and what it cost.
    public struct Outcome: Sendable {
        /// The smallest failing case reached.
        public var problem: Problem
        /// How many candidates were checked with `isFailing` (each one an implementation's answer and an oracle's).
        public var candidatesChecked: Int
    }

    /// The smallest failing case the passes reach from `problem` (itself when nothing simpler fails).
    public func shrink(_ problem: Problem) async -> Problem {
        await shrinking(problem).problem
    }

    /// Shrinks `problem`, counting the candidates checked: the shape first (samples, units, layers,
    /// functions), then every pass. The number pass costs most, a check per simpler number tried
    /// for each number of the case: it runs once the case has its smallest shape, and is not spent
    /// on numbers that a later round would delete.
    public func shrinking(_ problem: Problem) async -> Outcome {
        await shrinking(problem, stages: [Pass.shape, Pass.allCases])
    }

    /// Shrinks `problem` in stages: each runs its passes in rounds until a round keeps no candidate.
    func shrinking(_ problem: Problem, stages: [[Pass]]) async -> Outcome {
        var state = State(best: problem, remaining: budget)
        for passes in stages {
            var roundStart: Problem
            repeat {
                roundStart = state.best
                for pass in passes where !state.exhausted { await run(pass, &state) }
            } while state.best != roundStart && !state.exhausted
        }
        return Outcome(problem: state.best, candidatesChecked: state.checked)
    }

    /// The best case so far, every candidate considered, and what is left of the budget.
    struct State {
        var best: Problem
        var remaining: Int
        /// Every candidate considered (checked or refused unchecked), with the best: none is considered twice.
        var considered: Set<Problem>
        var checked = 0
        var exhausted: Bool { remaining <= 0 }

        init(best: Problem, remaining: Int) {
            self.best = best
            self.remaining = remaining
            considered = [best]
        }
    }

    /// Keeps `candidate` when it is a valid case that still fails and was never considered before.
    ///
    /// Remembering refusals is sound: validity does not depend on the best case (but for the count
    /// of all-zero fields, which only ever falls), and `isFailing` answers a problem the same way
    /// every time.
    func consider(_ candidate: Problem?, _ state: inout State) async -> Bool {
        guard let candidate, !state.exhausted, state.considered.insert(candidate).inserted else { return false }
        if stop.raised {
            state.remaining = 0
            return false
        }
        guard candidate.allZeroFields <= state.best.allZeroFields, candidate.isFuzzable(kinkMargin: kinkMargin), family.whyOutside(candidate) == nil
        else { return false }
        if candidate.hasDeadReluLayer && !state.best.hasDeadReluLayer { return false }
        state.remaining -= 1
        state.checked += 1
        guard await isFailing(candidate) else { return false }
        state.best = candidate
        return true
    }

    /// Tries the candidates in order and keeps the first that still fails.
    func first(_ candidates: [Problem?], _ state: inout State) async -> Bool {
        for candidate in candidates where await consider(candidate, &state) { return true }
        return false
    }

    /// The largest k ≤ `bound` for which `works(k)` holds, knowing that `works(1)` does, as
    /// Hypothesis' `find_integer`: tries k = 2, 4, 8, … while they work, then bisects between the
    /// last that worked and the first that did not. Assuming that works(k) implies works(j) for
    /// j < k, this costs about 2 log₂ k calls where trying k = 2, 3, 4, … would cost k.
    static func findInteger(upTo bound: Int, _ works: (Int) async -> Bool) async -> Int {
        var low = 1, high = 2
        while high <= bound {
            guard await works(high) else { break }
            low = high
            high *= 2
        }
        high = min(high, bound + 1)
        while low + 1 < high {
            let middle = (low + high) / 2
            if await works(middle) { low = middle } else { high = middle }
        }
        return low
    }
}

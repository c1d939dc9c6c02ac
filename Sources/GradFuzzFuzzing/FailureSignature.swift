import GradFuzzCore
import GradFuzzJudging
import GradFuzzMutants

/// How a case fails, as far as shrinking must keep it: where the answer first goes wrong, by how
/// much, and which catalogued mistakes explain it.
///
/// A shrunk candidate **fails in the same way** as the case it came from when all of these hold:
///
/// 1. **The same first wrong quantity.** Its kind (delta, dW, db or cost) and its layer counted from
///    the output (0 is the output layer) are the original's. The first wrong quantity is taken as
///    the backward pass runs: the highest layer whose g (delta) is wrong, else the highest whose dW
///    or db is; in that layer its g, else its dW, else its db (`Verdict.firstWrongMatrix`). The cost
///    is the first wrong quantity only when every gradient entry is right. An answer of the wrong
///    shape stays an answer of the wrong shape.
/// 2. **An error of the same size.** The largest relative error |got − expected| / max(|got|, |expected|)
///    of that quantity against the oracle is at least 10⁻³ times the original's, and is not finite
///    exactly when the original's was not (NaN stays NaN; 0.0078 may shrink to 10⁻⁵, never to 10⁻¹¹).
/// 3. **Far outside the fixture's tolerance.** Against the reference's values, with the tolerance the
///    fixture will store (what `validate` and `replay` apply), the worst entry of that quantity lies
///    at least 10 times outside it (|got − expected| ≥ 10 · max(atol, rtol · max(|got|, |expected|))),
///    or as many times as the original's did when that was less, and always outside it.
/// 4. **No new explanation.** The catalogued mistakes that explain the candidate's answer completely
///    (`Diagnosis.completeMistakes`) are among those that explained the original's, and there is at
///    least one when the original had one: shrinking may make a diagnosis sharper, never
///    ambiguous (a case where σ(1 − z) and a missing 1/m give the same numbers is refused).
///
/// Everything is measured with the fixture's own tolerance, so every fixture written fails
/// `validate` and `replay --impl` for the program that produced it.
public struct FailureSignature: Equatable, Sendable {
    /// Where an answer first goes wrong.
    public enum Place: Equatable, Sendable, CustomStringConvertible {
        /// A gradient matrix: its kind, and its layer counted from the output (0 is layer L).
        case matrix(fromOutput: Int, Quantity)
        /// The cost, every gradient entry being right.
        case cost
        /// An answer of the wrong shape: nothing could be compared.
        case malformed

        public var description: String {
            switch self {
            case let .matrix(fromOutput, quantity):
                return "\(quantity.rawValue) of \(fromOutput == 0 ? "the output layer" : "the layer \(fromOutput) below the output")"
            case .cost: return "the cost"
            case .malformed: return "the shape of the answer"
            }
        }
    }

    public var place: Place
    /// The largest relative error of the place's entries against the oracle (∞ for a non-finite value).
    public var relativeError: Double
    /// How many times outside the fixture's tolerance the place's worst entry lies, against the
    /// reference's values (∞ for a non-finite value).
    public var timesOutside: Double
    /// The catalogued mistakes whose answer matches this one completely, by name.
    public var mistakes: Set<String>

    /// How much smaller a candidate's relative error may be than the original's.
    public static let shrinkableFactor = 1e-3
    /// How many times outside the fixture's tolerance a candidate must be (or as many as the original).
    public static let margin = 10.0

    public init(place: Place, relativeError: Double, timesOutside: Double, mistakes: Set<String>) {
        self.place = place
        self.relativeError = relativeError
        self.timesOutside = timesOutside
        self.mistakes = mistakes
    }

    /// The signature of a failing answer, or nil when it passes: `judgement` is the answer against
    /// the oracle, as the fuzzer judged it; `exact` the same answer against the reference's values,
    /// as validate judges it, with the tolerance the fixture will store.
    public init?(judgement: Judgement, exact: Judgement) {
        guard let verdict = judgement.verdict, let exactVerdict = exact.verdict else { return nil }
        if let first = verdict.firstWrongMatrix {
            place = .matrix(fromOutput: judgement.problem.network.depth - first.layer, first.quantity)
            relativeError = first.failures.map(Self.relativeError).max() ?? 0
            let same = exactVerdict.matrices.first { $0.layer == first.layer && $0.quantity == first.quantity }
            timesOutside = same.map { Self.timesOutside($0.failures + ($0.worst.map { [$0] } ?? [])) } ?? 0
        } else if !verdict.costPassed, let cost = verdict.cost {
            place = .cost
            relativeError = Self.relativeError(cost)
            timesOutside = exactVerdict.cost.map { Self.timesOutside([$0]) } ?? 0
        } else {
            return nil
        }
        mistakes = Diagnosis.completeMistakes(
            problem: judgement.problem, expected: exact.reference.answer, answer: judgement.answer, tolerance: judgement.tolerance,
            rounding: judgement.rounding)
    }

    /// The signature of an answer of the wrong shape.
    public static let malformed = FailureSignature(place: .malformed, relativeError: .infinity, timesOutside: .infinity, mistakes: [])

    /// Whether `candidate` fails in the same way as this, the original case (see the type's rules).
    public func admits(_ candidate: FailureSignature) -> Bool {
        guard candidate.place == place else { return false }
        if place == .malformed { return true }
        guard candidate.relativeError.isFinite == relativeError.isFinite,
            candidate.relativeError >= relativeError * Self.shrinkableFactor
        else { return false }
        guard candidate.timesOutside > 1, candidate.timesOutside >= min(Self.margin, timesOutside) else { return false }
        guard candidate.mistakes.isSubset(of: mistakes), mistakes.isEmpty || !candidate.mistakes.isEmpty else { return false }
        return true
    }

    /// |got − expected| / max(|got|, |expected|), ∞ when got is not finite.
    static func relativeError(_ e: Entry) -> Double {
        guard e.got.isFinite else { return .infinity }
        let scale = max(abs(e.got), abs(e.expected))
        return scale > 0 ? abs(e.got - e.expected) / scale : 0
    }

    /// The largest error / bound over the entries, ∞ for a non-finite value.
    static func timesOutside(_ entries: [Entry]) -> Double {
        entries.map { $0.got.isFinite ? $0.severity : .infinity }.max() ?? 0
    }
}

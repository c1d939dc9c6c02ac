import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzMutants
import GradFuzzOracle

/// The outcome of checking one answer against the oracle.
public enum CaseCheck: Sendable {
    /// The verdict, entry by entry.
    case verdict(Verdict)
    /// The answer has the wrong shape: nothing could be compared.
    case malformed(String)
    /// The implementation said it does not support the case (e.g. an activation it lacks): not a failure.
    case unanswered(String)
    /// The implementation misbehaved (an external program that crashed, hung or broke the
    /// protocol): an error, not a failure. Nothing was answered, so nothing is known about its
    /// backprop: no fixture is written, and `errorOutput` (what it wrote on stderr, a traceback)
    /// says why.
    case programError(String, errorOutput: String)
    /// The oracle has no finite value for some entry: nothing is known about the answer. Counted
    /// and reported, never a failure of the implementation (and never a shrinking target).
    case oracleUnusable(String)
    /// The implementation was not asked: it was given up on (a program that never answered). The
    /// run stops here.
    case notRun(String)

    /// How a case counts when the implementation gave no answer to compare.
    public init(_ failure: AnswerFailure) {
        switch failure.kind {
        case .unsupported: self = .unanswered(failure.message)
        case .wrongAnswer: self = .malformed(failure.message)
        case .misbehaved, .cannotStart: self = .programError(failure.message, errorOutput: failure.errorOutput)
        case .unresponsive: self = .notRun(failure.message)
        }
    }

    /// Whether the implementation got this case wrong (an unanswered case is not a wrong answer).
    public var failed: Bool {
        switch self {
        case .verdict(let v): return !v.passed
        case .malformed: return true
        case .unanswered, .programError, .oracleUnusable, .notRun: return false
        }
    }

    /// Whether the implementation misbehaved instead of answering (`Outcome.error`).
    public var isError: Bool {
        if case .programError = self { return true }
        return false
    }

    /// Whether shrinking may search around this failure: a wrong answer, not a misbehaving program.
    public var shrinkable: Bool {
        switch self {
        case .verdict(let v): return !v.passed
        case .malformed: return true
        default: return false
        }
    }

    /// The first failing entry, or what was wrong with the answer.
    public var headline: String? {
        switch self {
        case .verdict(let v):
            guard !v.passed else { return nil }
            let cost = v.costPassed ? nil : v.cost
            // The worst entry of the first wrong matrix: the layer named is the entry's.
            guard let first = v.firstWrongMatrix, let entry = first.failures.first else {
                return cost.map { "cost wrong, every gradient entry right: \($0)" }
            }
            return "first wrong at layer \(first.layer): \(entry)" + (cost == nil ? "" : "; the cost is wrong too")
        case .malformed(let why): return "malformed answer: \(why)"
        case .unanswered(let why): return "no answer: \(why)"
        case .programError(let why, _): return "the program failed: \(why)"
        case .oracleUnusable(let why): return "oracle unusable: \(why)"
        case .notRun(let why): return why
        }
    }
}

/// What a run reports for one case: its shape, what was checked and, when it failed, the shrunk
/// fixture. It depends only on (seed, iteration) and the implementation, never on --jobs.
public struct CaseOutcome: Sendable {
    public var iteration: Int
    public var problem: Problem
    public var check: CaseCheck
    /// Why no fixture can be written for a failing case, when none can.
    public var fixture: Result<URL, FixtureStoreError>?
    /// The failing case, shrunk, to be written as a fixture (if its kind's quota allows).
    public var candidate: FixtureCandidate?
    public var shrunkLayers: [Int]?
    public var shrunkBatch: Int?
    /// The candidates the shrinker checked for this case, and the time it took (nil when not shrunk).
    public var shrinkCandidatesChecked: Int?
    public var shrinkSeconds: Double?
    /// The likely mistakes behind a failing answer (of the shrunk case), as a student reads them.
    public var diagnosis: [String] = []
}

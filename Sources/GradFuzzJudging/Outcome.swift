import GradFuzzCore

/// How one problem went for an implementation under test: the word every report uses for it.
public enum Outcome: String, Sendable, CaseIterable, Codable {
    /// Every entry (and the cost, when it counts) within tolerance.
    case pass
    /// A wrong answer: entries outside tolerance, a wrong cost, or a wrong shape.
    case fail
    /// The implementation declined the problem ({"error": …}): neither passed nor failed.
    case unsupported
    /// The implementation misbehaved or could not be run: nothing to judge.
    case error
    /// The run ended (Ctrl-C) before the problem was asked.
    case notRun = "not run"

    /// How a failure to answer counts, wherever it happens: a declined problem is unsupported, an
    /// answer of the wrong shape is a wrong answer, and a program that crashed, hung, broke the
    /// protocol, could not be started or was given up on is an error.
    public init(_ failure: AnswerFailure) {
        switch failure.kind {
        case .unsupported: self = .unsupported
        case .wrongAnswer: self = .fail
        case .misbehaved, .cannotStart, .unresponsive: self = .error
        }
    }
}

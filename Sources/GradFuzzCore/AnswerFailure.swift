/// How an implementation's failure to answer counts: one policy for fuzz, replay and validate.
public enum FailureKind: String, Sendable {
    /// It declined the problem (a student's {"error": …}): neither passed nor failed.
    case unsupported
    /// It answered, but not in a shape that can be compared: a wrong answer, like a wrong value.
    case wrongAnswer
    /// It misbehaved: crashed, hung, or broke the protocol. A failure, but not one to shrink.
    case misbehaved
    /// It could not be started at all: nothing more can be asked of it.
    case cannotStart
    /// It never answered, and timed out on several requests in a row: nothing more is asked of it,
    /// and what is left is reported as not run.
    case unresponsive
}

/// An error that knows how it counts. Errors that do not conform count as `.misbehaved`.
public protocol ClassifiedError: Error, CustomStringConvertible {
    var failureKind: FailureKind { get }
    /// One line: what went wrong and what was expected.
    var message: String { get }
    /// What the implementation wrote on its error stream before it failed, or "".
    var errorOutput: String { get }
}

extension ClassifiedError {
    public var errorOutput: String { "" }
    public var description: String { message }
}

/// Why an implementation gave no answer to compare, classified.
public struct AnswerFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public var kind: FailureKind
    public var message: String
    public var errorOutput: String

    public init(kind: FailureKind, message: String, errorOutput: String = "") {
        self.kind = kind
        self.message = message
        self.errorOutput = errorOutput
    }

    /// Any error an implementation threw, classified.
    public init(_ error: any Error) {
        if let classified = error as? any ClassifiedError {
            self.init(kind: classified.failureKind, message: classified.message, errorOutput: classified.errorOutput)
        } else {
            self.init(kind: .misbehaved, message: "the implementation threw: \(error)")
        }
    }

    public var description: String { message }
}

/// An implementation's way of declining a problem it does not support (an activation it lacks):
/// a student's {"error": …} answer, or a Swift implementation's throw. Never a failure.
public struct Unsupported: ClassifiedError, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var failureKind: FailureKind { .unsupported }
    public var description: String { "unsupported: \(message)" }
}

/// An answer whose matrices have the wrong number or shape: a wrong answer.
public struct ShapeMismatch: ClassifiedError, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var failureKind: FailureKind { .wrongAnswer }
}

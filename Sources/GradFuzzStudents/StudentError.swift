import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzMutants

/// Why a student's program gave no usable answer, said so that its author can fix it.
public struct StudentError: ClassifiedError, Equatable {
    public enum Kind: String, Sendable {
        case notFound, cannotStart, exited, timedOut, lineTooLong
        case notJSON, wrongID, missingField, wrongType
        /// A key written twice in one object: JSON readers differ on which value they keep.
        case duplicateKey
        /// A describe reply whose "family" cannot be read as a family.
        case badDeclaration
        /// An answer in step with its request but shaped wrong: a wrong answer, not misbehaviour.
        case wrongShape
        /// Not asked: the program never answered and timed out on several requests in a row.
        case unresponsive
    }

    public var kind: Kind
    public var message: String
    /// The last lines the student wrote to stderr, when it wrote any.
    public var stderrTail: String

    public init(_ kind: Kind, _ message: String, stderrTail: String = "") {
        self.kind = kind
        self.message = message
        self.stderrTail = stderrTail
    }

    /// How it counts: a wrong shape is a wrong answer; a program that cannot be started, or that
    /// was given up on, is not asked again; anything else is misbehaviour.
    public var failureKind: FailureKind {
        switch kind {
        case .wrongShape: return .wrongAnswer
        case .notFound, .cannotStart: return .cannotStart
        case .unresponsive: return .unresponsive
        default: return .misbehaved
        }
    }

    public var errorOutput: String { stderrTail }

    /// A command name that is in no directory of `path`.
    static func notOnPath(_ name: String, path: String) -> StudentError {
        StudentError(.notFound, "command not found: \(name) (not on PATH: \(path))")
    }

    /// Whether the lines may be out of step with the requests, so the student must be restarted.
    var desynchronizes: Bool { [.notJSON, .wrongID, .lineTooLong].contains(kind) }

}

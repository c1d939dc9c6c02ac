import Foundation
import GradFuzzCore
import GradFuzzFixtures

/// A program's statement of the family it supports, in gradfuzz-protocol/1.
///
/// Before the first fixture, gradfuzz sends one request with `"describe": true` added to an
/// ordinary problem (`problem`, one sigmoid neuron). A program that knows the request answers
/// `{"id": "describe", "family": DECLARATION}`, the declaration being a named family's name or an
/// object of family options (`FamilyStatement`'s decoding); any other program answers it as an
/// ordinary request, or declines it, and nothing is declared. Every gradfuzz-protocol/1 program
/// therefore keeps working unchanged.
public enum FamilyDeclaration {
    /// The describe request's problem: small and valid, so that a program that ignores the
    /// "describe" field answers it as any other.
    public static let problem: Problem = {
        let recipe = CuratedFixtures.recipes.first { $0.id == "one-neuron" }!
        return CuratedFixtures.problem(for: recipe, seed: 1)
    }()

    /// Why a program's declaration cannot be used, in one line.
    public struct Refusal: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The "family" of a describe reply, or a `StudentError` saying what was expected.
    static func read(_ line: Data) throws(StudentError) -> FamilyStatement {
        struct Reply: Decodable { var family: FamilyStatement }
        do { return try JSONDecoder().decode(Reply.self, from: line).family } catch {
            throw StudentError(
                .badDeclaration, "\"family\": \(reason(error)); expected a named family's name or an object of family options (docs/protocol.md)")
        }
    }

    private static func reason(_ error: any Error) -> String {
        switch error as? DecodingError {
        case let .dataCorrupted(context)?: return context.debugDescription
        case let .typeMismatch(_, context)?, let .valueNotFound(_, context)?:
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return (path.isEmpty ? "" : "\(path): ") + context.debugDescription
        default: return "not readable"
        }
    }
}

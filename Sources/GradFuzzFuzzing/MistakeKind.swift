import GradFuzzCore
import GradFuzzMutants

/// What kind of mistake a failing case shows, for keeping a few fixtures of each: where the answer
/// first goes wrong — its quantity, in the output layer or in a hidden one — and the diagnosis: the
/// explanations that account for every failing matrix (catalogued mistakes, whole factors, a
/// transpose), or none.
///
/// It is coarser than the `FailureSignature` that shrinking keeps: the hidden layer's depth, the
/// size of the error and the batch size do not count, so one mistake met in networks of every
/// depth and batch is one kind.
public struct MistakeKind: Hashable, Sendable, CustomStringConvertible {
    /// "dW of the output layer", "delta of a hidden layer", "the cost", "the shape of the answer".
    public var place: String
    /// The complete explanations, sorted: mutant names, "×2", "×m", "transposed"…; empty when none.
    public var explanations: [String]

    public init(place: String, explanations: [String]) {
        self.place = place
        self.explanations = explanations.sorted()
    }

    /// The kind of a failure with `signature`, diagnosed as `findings` on a batch of `batchSize`.
    public init(_ signature: FailureSignature, findings: [Finding], batchSize: Int) {
        switch signature.place {
        case let .matrix(fromOutput, quantity):
            place = "\(quantity.rawValue) of \(fromOutput == 0 ? "the output layer" : "a hidden layer")"
        case .cost: place = "the cost"
        case .malformed: place = "the shape of the answer"
        }
        let labels = findings.filter(\.isComplete).compactMap { Self.label($0, batchSize: batchSize) }
        explanations = Array(Set(labels)).sorted()
    }

    /// A finding's name apart from the case's numbers: a factor m is "×m" whatever m is.
    static func label(_ finding: Finding, batchSize m: Int) -> String? {
        switch finding.kind {
        case .mutant(let name): return name
        case .transposed: return "transposed"
        case .cost: return nil
        case .factor(let factor):
            if m > 2 && factor == Double(m) { return "×m" }
            if m > 2 && factor == 1 / Double(m) { return "×1/m" }
            return "×\(factor)"
        }
    }

    /// A failure whose signature is unknown (it was not measured).
    public static let unknown = MistakeKind(place: "unknown", explanations: [])

    public var description: String {
        "first wrong: \(place); " + (explanations.isEmpty ? "no complete explanation" : explanations.joined(separator: " or "))
    }
}

import GradFuzzCore

/// What kind of mistake a failing case shows, for keeping a few fixtures of each: where the answer
/// first goes wrong — its quantity, in the output layer or in a hidden one — and the catalogued
/// mistakes that explain it completely.
///
/// It is coarser than the `FailureSignature` that shrinking keeps: the hidden layer's depth and
/// the size of the error do not count, so one mistake met in networks of every depth is one kind.
public struct MistakeKind: Hashable, Sendable, CustomStringConvertible {
    /// "dW of the output layer", "delta of a hidden layer", "the cost", "the shape of the answer".
    public var place: String
    /// The catalogued mistakes that explain the answer completely, by name, sorted; empty when none does.
    public var mistakes: [String]

    public init(place: String, mistakes: [String]) {
        self.place = place
        self.mistakes = mistakes.sorted()
    }

    /// The kind of a failure with `signature`.
    public init(_ signature: FailureSignature) {
        switch signature.place {
        case let .matrix(fromOutput, quantity):
            place = "\(quantity.rawValue) of \(fromOutput == 0 ? "the output layer" : "a hidden layer")"
        case .cost: place = "the cost"
        case .malformed: place = "the shape of the answer"
        }
        mistakes = signature.mistakes.sorted()
    }

    /// A failure whose signature is unknown (it was not measured).
    public static let unknown = MistakeKind(place: "unknown", mistakes: [])

    public var description: String {
        "first wrong: \(place); " + (mistakes.isEmpty ? "no catalogued mistake matches" : mistakes.joined(separator: " or "))
    }
}

extension FailureSignature {
    /// The kind of mistake this failure shows.
    public var kind: MistakeKind { MistakeKind(self) }
}

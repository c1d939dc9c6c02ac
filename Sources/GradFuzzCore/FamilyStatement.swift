/// A family as a person or a program states it: a named family, and choices that narrow it.
///
/// The command line's family options, a program's own declaration (gradfuzz-protocol/1's
/// "describe") and an exam's manifest are all read into a statement, and `resolve()` is the one
/// place where a statement becomes a `Family`, or is refused with the reason: an unknown name, a
/// choice that widens the named family instead of narrowing it, labels for a loss the family does
/// not have, a softmax output of one unit, or no valid network at all.
public struct FamilyStatement: Equatable, Sendable {
    public var name: String?
    public var activations: [Activation]?
    public var hiddenActivations: [Activation]?
    public var outputActivations: [Activation]?
    public var sameActivation = false
    public var losses: [Loss]?
    /// "soft", "hard", "one-hot" or "binary", comma-separated (`Family.setLabels`).
    public var labels: String?
    public var minDepth: Int?
    public var maxDepth: Int?
    public var minWidth: Int?
    public var maxWidth: Int?
    public var outputs: ClosedRange<Int>?
    public var minBatch: Int?
    public var maxBatch: Int?

    public init() {}

    /// A statement of the named family alone.
    public init(name: String) { self.name = name }

    /// Whether anything is stated.
    public var isEmpty: Bool { self == FamilyStatement() }

    /// Why a statement cannot be resolved: the option (or declaration field) and what was expected.
    public struct Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        public var option: String
        public var message: String
        /// One line naming the option, once.
        public var description: String { message.hasPrefix(option) ? message : "\(option): \(message)" }
    }

    /// The family stated: the named family (the whole contract without one), narrowed by the other
    /// choices; or why there is none.
    public func resolve() throws(Refusal) -> Family {
        var family = Family.all
        if let name {
            guard let named = Family.named(name) else {
                throw Refusal(option: "--family", message: "unknown family \"\(name)\"; expected one of \(Family.named.map(\.name).joined(separator: ", "))")
            }
            family = named
        }
        let base = family
        func narrowed(_ option: String, _ chosen: [Activation], within allowed: [Activation], _ layers: String) throws(Refusal) -> [Activation] {
            let kept = allowed.filter(chosen.contains)
            if name != nil, let stray = chosen.first(where: { !allowed.contains($0) }) {
                throw Refusal(
                    option: option,
                    message:
                        "\(stray.rawValue) contradicts the family \(name ?? ""), whose \(layers) are \(Family.list(allowed)); the options may only narrow it")
            }
            return kept
        }
        if let activations {
            family.hiddenActivations = try narrowed("--activations", activations, within: base.hiddenActivations, "hidden layers")
            family.outputActivations = try narrowed("--activations", activations, within: base.outputActivations, "output layers")
        }
        if let hiddenActivations {
            family.hiddenActivations = try narrowed("--hidden-activations", hiddenActivations, within: base.hiddenActivations, "hidden layers")
        }
        if let outputActivations {
            family.outputActivations = try narrowed("--output-activations", outputActivations, within: base.outputActivations, "output layers")
        }
        family.sameActivation = base.sameActivation || sameActivation
        if let losses {
            if name != nil, let stray = losses.first(where: { !base.losses.contains($0) }) {
                throw Refusal(
                    option: "--losses",
                    message:
                        "\(stray.rawValue) contradicts the family \(name ?? ""), whose losses are \(Family.list(base.losses)); the options may only narrow it")
            }
            family.losses = losses
        }
        family.depth = try Self.range("depth", minDepth, maxDepth, within: base.depth, family: name)
        family.width = try Self.range("width", minWidth, maxWidth, within: base.width, family: name)
        family.batch = try Self.range("batch", minBatch, maxBatch, within: base.batch, family: name)
        if let outputs {
            if name != nil, !(base.outputWidth.contains(outputs.lowerBound) && base.outputWidth.contains(outputs.upperBound)) {
                throw Refusal(
                    option: "--outputs",
                    message: "\(Family.describe(outputs)) contradicts the family \(name ?? ""), whose output units are \(Family.describe(base.outputWidth))")
            }
            family.outputs = outputs
        }
        if let labels { try setLabels(labels, of: &family, base: base) }
        try refuseDegenerate(family)
        return family
    }

    /// `minimum`…`maximum` within `base` (a named family's range may only be narrowed).
    private static func range(_ what: String, _ minimum: Int?, _ maximum: Int?, within base: ClosedRange<Int>, family: String?) throws(Refusal)
        -> ClosedRange<Int>
    {
        let low = minimum ?? base.lowerBound, high = maximum ?? base.upperBound
        if let minimum, let maximum, minimum > maximum {
            throw Refusal(option: "--min-\(what)", message: "--min-\(what) \(minimum) is above --max-\(what) \(maximum)")
        }
        if family != nil, low < base.lowerBound || high > base.upperBound {
            let option = low < base.lowerBound ? "--min-\(what)" : "--max-\(what)"
            throw Refusal(
                option: option, message: "contradicts the family \(family ?? ""), whose \(what) is \(Family.describe(base)); the options may only narrow it")
        }
        guard low <= high else {
            throw Refusal(option: minimum == nil ? "--max-\(what)" : "--min-\(what)", message: "leaves no \(what) within \(Family.describe(base))")
        }
        return low...high
    }

    /// The labels stated, each for a loss the family has, and never wider than a named family's.
    private func setLabels(_ text: String, of family: inout Family, base: Family) throws(Refusal) {
        if let why = family.setLabels(text) { throw Refusal(option: "--labels", message: why) }
        let classes = family.losses.filter { $0 == .crossEntropy || $0 == .binaryCrossEntropy }
        for word in text.split(separator: ",").map({ String($0.filter { $0 != " " }) }) {
            let needs: [Loss] =
                switch word {
                case "one-hot", "onehot": [.crossEntropy]
                case "binary", "0/1": [.binaryCrossEntropy]
                default: [.crossEntropy, .binaryCrossEntropy]
                }
            if !needs.contains(where: classes.contains) {
                throw Refusal(
                    option: "--labels",
                    message:
                        "\(word) labels go with \(needs.map(\.rawValue).joined(separator: " or ")), which the family's losses (\(Family.list(family.losses))) do not include"
                )
            }
        }
        if name != nil, (base.crossEntropyLabels == .hard && family.crossEntropyLabels == .soft) || (base.binaryLabels == .hard && family.binaryLabels == .soft)
        {
            throw Refusal(option: "--labels", message: "\(text) contradicts the family \(name ?? ""), whose labels are hard (one-hot or 0/1)")
        }
    }

    /// Families that have networks, but whose gradients say nothing: a softmax output of one unit
    /// (always 1, its gradient 0).
    private func refuseDegenerate(_ family: Family) throws(Refusal) {
        let outputs = family.drawableLosses.flatMap(family.outputActivations(for:))
        if family.outputWidth.upperBound == 1, !outputs.isEmpty, outputs.allSatisfy({ $0 == .softmax }) {
            throw Refusal(
                option: "--outputs",
                message: "a softmax output of one unit is always 1, so its gradient is 0; expected --outputs 2 or more with a softmax output")
        }
        if let why = family.problem { throw Refusal(option: "the family", message: "no valid network: \(why)") }
    }
}

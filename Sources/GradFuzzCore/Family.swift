/// A family of problems: the networks, losses and targets an implementation supports, described
/// once and shared by fuzzing (what is drawn), validation and replay (which fixtures count) and
/// exams (what a fixture set must be complete for).
///
/// The default family is the whole contract. Ranges are inclusive; an upper bound of `Int.max`
/// means "no limit" (a fuzzer puts its own default ceiling there).
public struct Family: Equatable, Codable, Sendable {
    /// How the targets of a classification loss are drawn and which ones belong to the family.
    public enum Labels: String, Codable, Sendable, CaseIterable {
        /// Class labels: one-hot rows for cross_entropy, entries in {0, 1} for binary_cross_entropy.
        case hard
        /// Any target in the loss's domain (probability rows, entries in [0, 1]), hard ones included.
        case soft
    }

    /// Activations allowed in the hidden layers 1…L−1.
    public var hiddenActivations: [Activation]
    /// Activations allowed in the output layer L (a loss's required output must be among them).
    public var outputActivations: [Activation]
    public var losses: [Loss]
    /// L, the number of layers with weights.
    public var depth: ClosedRange<Int>
    /// m_0, …, m_{L−1}: the input and hidden widths (and m_L when `outputs` is nil).
    public var width: ClosedRange<Int>
    /// m_L, the number of output units; nil: within `width`.
    public var outputs: ClosedRange<Int>?
    /// m, the number of samples in the batch.
    public var batch: ClosedRange<Int>
    /// Targets of cross_entropy: one-hot (hard) or any probability row (soft).
    public var crossEntropyLabels: Labels
    /// Targets of binary_cross_entropy: in {0, 1} (hard) or anywhere in [0, 1] (soft).
    public var binaryLabels: Labels
    /// Whether every layer, hidden and output, uses one activation (a course's network with one
    /// activation function set for the whole network): then it is one of `sharedActivations`.
    public var sameActivation: Bool

    public static let unlimited = Int.max

    public init(
        hiddenActivations: [Activation] = Activation.allCases, outputActivations: [Activation] = Activation.allCases,
        losses: [Loss] = Loss.allCases, depth: ClosedRange<Int> = 1...unlimited,
        width: ClosedRange<Int> = 1...unlimited, outputs: ClosedRange<Int>? = nil,
        batch: ClosedRange<Int> = 1...unlimited, crossEntropyLabels: Labels = .soft, binaryLabels: Labels = .soft,
        sameActivation: Bool = false
    ) {
        self.hiddenActivations = hiddenActivations
        self.outputActivations = outputActivations
        self.losses = losses
        self.depth = depth
        self.width = width
        self.outputs = outputs
        self.batch = batch
        self.crossEntropyLabels = crossEntropyLabels
        self.binaryLabels = binaryLabels
        self.sameActivation = sameActivation
    }

    /// The whole contract.
    public static let all = Family()

    /// The range m_L is drawn from and checked against.
    public var outputWidth: ClosedRange<Int> { outputs ?? width }

    /// The labels kind for `loss` (soft for the losses that have no classes).
    public func labels(for loss: Loss) -> Labels {
        switch loss {
        case .crossEntropy: return crossEntropyLabels
        case .binaryCrossEntropy: return binaryLabels
        default: return .soft
        }
    }

    /// The output activations `loss` may follow in this family.
    public func outputActivations(for loss: Loss) -> [Activation] {
        guard let required = loss.requiredOutput else { return outputActivations }
        return outputActivations.contains(required) ? [required] : []
    }

    /// The losses that fit some allowed output activation.
    public var drawableLosses: [Loss] { losses.filter { !outputActivations(for: $0).isEmpty } }

    /// The activations a network with a hidden layer can use in every layer, after `loss`, when
    /// the family uses one activation throughout: hidden activations the loss accepts as its output.
    public func sharedActivations(for loss: Loss) -> [Activation] {
        let outputs = outputActivations(for: loss)
        return hiddenActivations.filter(outputs.contains)
    }

    /// The activations some hidden layer can use: all hidden activations, or, with one activation
    /// throughout, those that are also the output's after some loss.
    var usableHiddenActivations: [Activation] {
        guard sameActivation else { return hiddenActivations }
        let shared = Set(drawableLosses.flatMap(sharedActivations(for:)))
        return hiddenActivations.filter(shared.contains)
    }

    /// Whether a network of depth ≥ 2 (one with a hidden layer) belongs to the family.
    public var hasHiddenLayers: Bool { depth.upperBound >= 2 && !usableHiddenActivations.isEmpty }

    /// The depths a network of the family can have: depth 1 needs no hidden activation.
    public var possibleDepths: ClosedRange<Int>? {
        let low = max(depth.lowerBound, 1)
        let high = usableHiddenActivations.isEmpty ? min(depth.upperBound, 1) : depth.upperBound
        return low <= high ? low...high : nil
    }

    /// Every activation some layer of a network in the family can use.
    public var anyLayerActivations: Set<Activation> {
        var all = Set(drawableLosses.flatMap(outputActivations(for:)))
        if hasHiddenLayers { all.formUnion(usableHiddenActivations) }
        return all
    }

    /// Why no valid problem belongs to this family, or nil when some does.
    public var problem: String? {
        func named(_ r: ClosedRange<Int>) -> String {
            r.upperBound == Self.unlimited ? "\(r.lowerBound) or more" : "\(r.lowerBound)–\(r.upperBound)"
        }
        if depth.lowerBound < 1 { return "the depth must be at least 1, got \(depth.lowerBound)" }
        if width.lowerBound < 1 { return "widths must be at least 1, got \(width.lowerBound)" }
        if let outputs, outputs.lowerBound < 1 { return "the number of output units must be at least 1, got \(outputs.lowerBound)" }
        if batch.lowerBound < 1 { return "batch sizes must be at least 1, got \(batch.lowerBound)" }
        if losses.isEmpty { return "no loss allowed" }
        if outputActivations.isEmpty { return "no output activation allowed" }
        if drawableLosses.isEmpty {
            let needs = losses.map { loss in
                loss.requiredOutput.map { "\(loss.rawValue) needs \($0.rawValue) as the output activation" } ?? "\(loss.rawValue) fits any"
            }.joined(separator: ", ")
            return "no allowed loss fits an allowed output activation (\(outputActivations.map(\.rawValue).joined(separator: ","))): \(needs)"
        }
        if possibleDepths == nil {
            if sameActivation && !hiddenActivations.isEmpty {
                return
                    "depth \(named(depth)) needs hidden layers with the output's activation, and no hidden activation (\(Self.list(hiddenActivations))) is an output activation an allowed loss accepts"
            }
            return "depth \(named(depth)) needs hidden layers, and no hidden activation is allowed"
        }
        return nil
    }

    /// Why `problem` is outside the family, or nil when it belongs to it: the first field that does not fit.
    public func whyOutside(_ problem: Problem) -> String? {
        let net = problem.network
        if !depth.contains(net.depth) { return "depth \(net.depth) is outside \(Self.describe(depth))" }
        for (l, f) in net.activations.dropLast().enumerated() where !hiddenActivations.contains(f) {
            return "hidden layer \(l + 1) is \(f.rawValue), not one of \(Self.list(hiddenActivations))"
        }
        if let f = net.activations.last, !outputActivations.contains(f) {
            return "the output layer is \(f.rawValue), not one of \(Self.list(outputActivations))"
        }
        if sameActivation, let first = net.activations.first, let l = net.activations.firstIndex(where: { $0 != first }) {
            return "layer \(l + 1) is \(net.activations[l].rawValue) and layer 1 \(first.rawValue): the family uses one activation in every layer"
        }
        if !losses.contains(problem.loss) { return "the loss is \(problem.loss.rawValue), not one of \(Self.list(losses))" }
        for (l, m) in net.layers.dropLast().enumerated() where !width.contains(m) {
            return "m_\(l) = \(m) is outside the widths \(Self.describe(width))"
        }
        if let m = net.layers.last, !outputWidth.contains(m) {
            return "\(m) output unit\(m == 1 ? "" : "s"), outside \(Self.describe(outputWidth))"
        }
        if !batch.contains(problem.batchSize) { return "batch \(problem.batchSize) is outside \(Self.describe(batch))" }
        if labels(for: problem.loss) == .hard {
            for i in 0..<problem.Y.rows {
                let y = problem.Y.row(i)
                switch problem.loss {
                case .crossEntropy where !(y.allSatisfy { $0 == 0 || $0 == 1 } && y.contains(1)):
                    return "the targets of sample \(i) are not one-hot"
                case .binaryCrossEntropy where !y.allSatisfy({ $0 == 0 || $0 == 1 }):
                    return "the targets of sample \(i) are not all 0 or 1"
                default: continue
                }
            }
        }
        return nil
    }

    public func contains(_ problem: Problem) -> Bool { whyOutside(problem) == nil }

    /// The family in a line: "hidden relu; output softmax; cross_entropy (one-hot); depth 1–6; …".
    public var summary: String {
        var parts: [String] = []
        if sameActivation {
            let shared = usableHiddenActivations
            parts.append("the same activation in every layer, \(shared.count == 1 ? "" : "one of ")\(Self.list(shared.isEmpty ? outputActivations : shared))")
        } else if hiddenActivations == outputActivations {
            parts.append("activations \(Self.list(hiddenActivations))")
        } else {
            parts.append("hidden \(Self.list(hiddenActivations))")
            parts.append("output \(Self.list(outputActivations))")
        }
        let lossText = drawableLosses.map { loss -> String in
            switch (loss, labels(for: loss)) {
            case (.crossEntropy, .hard): return "cross_entropy (one-hot)"
            case (.binaryCrossEntropy, .hard): return "binary_cross_entropy (0/1)"
            default: return loss.rawValue
            }
        }
        parts.append("losses \(lossText.joined(separator: ","))")
        parts.append("depth \(Self.describe(depth))")
        parts.append("widths \(Self.describe(width))")
        if let outputs { parts.append("outputs \(Self.describe(outputs))") }
        parts.append("batch \(Self.describe(batch))")
        return parts.joined(separator: "; ")
    }

    static func list<T: RawRepresentable>(_ items: [T]) -> String where T.RawValue == String {
        items.map(\.rawValue).joined(separator: ",")
    }

    /// "3", "1–6" or "2 or more".
    public static func describe(_ r: ClosedRange<Int>) -> String {
        if r.upperBound == unlimited { return "\(r.lowerBound) or more" }
        return r.lowerBound == r.upperBound ? "\(r.lowerBound)" : "\(r.lowerBound)–\(r.upperBound)"
    }
}

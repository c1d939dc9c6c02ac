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

    public static let unlimited = Int.max

    public init(
        hiddenActivations: [Activation] = Activation.allCases, outputActivations: [Activation] = Activation.allCases,
        losses: [Loss] = Loss.allCases, depth: ClosedRange<Int> = 1...unlimited,
        width: ClosedRange<Int> = 1...unlimited, outputs: ClosedRange<Int>? = nil,
        batch: ClosedRange<Int> = 1...unlimited, crossEntropyLabels: Labels = .soft, binaryLabels: Labels = .soft
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

    /// Whether a network of depth ≥ 2 (one with a hidden layer) belongs to the family.
    public var hasHiddenLayers: Bool { depth.upperBound >= 2 && !hiddenActivations.isEmpty }

    /// The depths a network of the family can have: depth 1 needs no hidden activation.
    public var possibleDepths: ClosedRange<Int>? {
        let low = max(depth.lowerBound, 1)
        let high = hiddenActivations.isEmpty ? min(depth.upperBound, 1) : depth.upperBound
        return low <= high ? low...high : nil
    }

    /// Every activation some layer of a network in the family can use.
    public var anyLayerActivations: Set<Activation> {
        var all = Set(drawableLosses.flatMap(outputActivations(for:)))
        if hasHiddenLayers { all.formUnion(hiddenActivations) }
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
        if hiddenActivations == outputActivations {
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

extension Family {
    /// A family with a name, as `--family NAME` states it.
    public struct Named: Sendable {
        public var name: String
        public var description: String
        public var family: Family
    }

    /// The families of common course implementations.
    public static let named: [Named] = [
        Named(
            name: "sigmoid-squared-error", description: "sigmoid in every layer, squared_error, any depth",
            family: Family(hiddenActivations: [.sigmoid], outputActivations: [.sigmoid], losses: [.squaredError])),
        Named(
            name: "relu-softmax-cross-entropy",
            description: "relu hidden layers, a softmax output, cross_entropy with one-hot labels",
            family: Family(
                hiddenActivations: [.relu], outputActivations: [.softmax], losses: [.crossEntropy],
                outputs: 2...unlimited, crossEntropyLabels: .hard)),
        Named(
            name: "relu-sigmoid-binary-cross-entropy",
            description: "relu hidden layers, one sigmoid output unit, binary_cross_entropy with labels in {0, 1}",
            family: Family(
                hiddenActivations: [.relu], outputActivations: [.sigmoid], losses: [.binaryCrossEntropy],
                outputs: 1...1, binaryLabels: .hard)),
        Named(
            name: "tanh-sigmoid-squared-error", description: "tanh or sigmoid in any layer, squared_error, any depth",
            family: Family(hiddenActivations: [.tanh, .sigmoid], outputActivations: [.tanh, .sigmoid], losses: [.squaredError])),
    ]

    /// The named family called `name`.
    public static func named(_ name: String) -> Family? { named.first { $0.name == name }?.family }
}

extension Family {
    /// The command-line options that state this family: `--family NAME` when it is that named
    /// family, else an option for each field that differs from the whole contract.
    public func options(named name: String? = nil) -> [String] {
        if let name, Self.named(name) == self { return ["--family", name] }
        var options: [String] = []
        if hiddenActivations == outputActivations {
            if hiddenActivations != Activation.allCases { options += ["--activations", Self.list(hiddenActivations)] }
        } else {
            if hiddenActivations != Activation.allCases { options += ["--hidden-activations", Self.list(hiddenActivations)] }
            if outputActivations != Activation.allCases { options += ["--output-activations", Self.list(outputActivations)] }
        }
        if losses != Loss.allCases { options += ["--losses", Self.list(losses)] }
        func range(_ r: ClosedRange<Int>, _ low: String, _ high: String) {
            if r.lowerBound != 1 { options += [low, "\(r.lowerBound)"] }
            if r.upperBound != Self.unlimited { options += [high, "\(r.upperBound)"] }
        }
        range(depth, "--min-depth", "--max-depth")
        range(width, "--min-width", "--max-width")
        if let outputs {
            options += [
                "--outputs",
                outputs.upperBound == Self.unlimited
                    ? "\(outputs.lowerBound)-"
                    : outputs.lowerBound == outputs.upperBound ? "\(outputs.lowerBound)" : "\(outputs.lowerBound)-\(outputs.upperBound)",
            ]
        }
        range(batch, "--min-batch", "--max-batch")
        switch (crossEntropyLabels, binaryLabels) {
        case (.hard, .hard): options += ["--labels", "hard"]
        case (.hard, .soft): options += ["--labels", "one-hot"]
        case (.soft, .hard): options += ["--labels", "binary"]
        case (.soft, .soft): break
        }
        return options
    }

    /// Sets the labels from `--labels`: hard or soft for both classification losses, one-hot
    /// (cross_entropy's labels hard) or binary (binary_cross_entropy's in {0, 1}); or why the text is not one of these.
    public mutating func setLabels(_ text: String) -> String? {
        for word in text.split(separator: ",").map({ String($0.filter { $0 != " " }) }) {
            switch word {
            case "hard": (crossEntropyLabels, binaryLabels) = (.hard, .hard)
            case "soft": (crossEntropyLabels, binaryLabels) = (.soft, .soft)
            case "one-hot", "onehot": crossEntropyLabels = .hard
            case "binary", "0/1": binaryLabels = .hard
            default:
                return "expected hard, soft, one-hot (cross_entropy) or binary (binary_cross_entropy targets in {0, 1}), got \"\(word)\""
            }
        }
        return nil
    }
}

extension Family {
    // Ranges are written {"min": …, "max": …}, "max" left out when there is no limit.
    enum CodingKeys: String, CodingKey {
        case hiddenActivations, outputActivations, losses, depth, width, outputs, batch, crossEntropyLabels, binaryLabels
    }

    struct Bounds: Codable {
        var min: Int
        var max: Int?
        init(_ r: ClosedRange<Int>) { min = r.lowerBound; max = r.upperBound == Family.unlimited ? nil : r.upperBound }
        var range: ClosedRange<Int>? {
            let high = max ?? Family.unlimited
            return min <= high ? min...high : nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func range(_ key: CodingKeys) throws -> ClosedRange<Int> {
            guard let r = try c.decode(Bounds.self, forKey: key).range else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "min is above max")
            }
            return r
        }
        self.init(
            hiddenActivations: try c.decode([Activation].self, forKey: .hiddenActivations),
            outputActivations: try c.decode([Activation].self, forKey: .outputActivations),
            losses: try c.decode([Loss].self, forKey: .losses), depth: try range(.depth), width: try range(.width),
            outputs: try c.contains(.outputs) ? range(.outputs) : nil, batch: try range(.batch),
            crossEntropyLabels: try c.decode(Labels.self, forKey: .crossEntropyLabels),
            binaryLabels: try c.decode(Labels.self, forKey: .binaryLabels))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(hiddenActivations, forKey: .hiddenActivations)
        try c.encode(outputActivations, forKey: .outputActivations)
        try c.encode(losses, forKey: .losses)
        try c.encode(Bounds(depth), forKey: .depth)
        try c.encode(Bounds(width), forKey: .width)
        if let outputs { try c.encode(Bounds(outputs), forKey: .outputs) }
        try c.encode(Bounds(batch), forKey: .batch)
        try c.encode(crossEntropyLabels, forKey: .crossEntropyLabels)
        try c.encode(binaryLabels, forKey: .binaryLabels)
    }
}

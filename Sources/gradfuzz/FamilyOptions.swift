import ArgumentParser
import GradFuzz

/// The family an implementation supports, one option group shared by `fuzz`, `validate`, `replay`
/// and `exam`: `--family NAME` and the options that state or refine one. With none of them the
/// family is the whole contract (fuzz draws within its default ceilings: depth 6, widths 24, batch 8).
struct FamilyOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A named family: \(Family.named.map(\.name).joined(separator: ", ")); the options below refine it.",
            valueName: "name"),
        transform: FamilyOptions.named)
    var family: String?

    @Option(
        help: ArgumentHelp("Activations allowed in any layer, comma-separated; all when absent.", valueName: "names"),
        transform: NameList<Activation>.parse)
    var activations: NameList<Activation>?

    @Option(
        name: .customLong("hidden-activations"),
        help: ArgumentHelp("Activations allowed in the hidden layers (there instead of --activations).", valueName: "names"),
        transform: NameList<Activation>.parse)
    var hiddenActivations: NameList<Activation>?

    @Option(
        name: .customLong("output-activations"),
        help: ArgumentHelp("Activations allowed in the output layer (there instead of --activations).", valueName: "names"),
        transform: NameList<Activation>.parse)
    var outputActivations: NameList<Activation>?

    @Flag(
        name: .customLong("same-activation"),
        help: "Every layer, hidden and output, uses one activation (a network with one activation function set for all its layers).")
    var sameActivation = false

    @Option(
        help: ArgumentHelp("Losses allowed, comma-separated; when absent, all that fit an allowed output activation.", valueName: "names"),
        transform: NameList<Loss>.parse)
    var losses: NameList<Loss>?

    @Option(name: .customLong("min-depth"), parsing: .unconditional, help: ArgumentHelp("Fewest layers L.", valueName: "n"))
    var minDepth: Int?

    @Option(name: .customLong("max-depth"), parsing: .unconditional, help: ArgumentHelp("Most layers L (fuzz: 6 when absent).", valueName: "n"))
    var maxDepth: Int?

    @Option(name: .customLong("min-width"), parsing: .unconditional, help: ArgumentHelp("Narrowest input or hidden layer.", valueName: "n"))
    var minWidth: Int?

    @Option(
        name: .customLong("max-width"), parsing: .unconditional,
        help: ArgumentHelp("Widest input or hidden layer (fuzz: 24 when absent).", valueName: "n"))
    var maxWidth: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Output units m_L: N, N-M or N- (no upper limit); within the widths when absent.", valueName: "n[-m]"),
        transform: FamilyOptions.outputRange)
    var outputs: ClosedRange<Int>?

    @Option(name: .customLong("min-batch"), parsing: .unconditional, help: ArgumentHelp("Fewest samples m.", valueName: "n"))
    var minBatch: Int?

    @Option(name: .customLong("max-batch"), parsing: .unconditional, help: ArgumentHelp("Most samples m (fuzz: 8 when absent).", valueName: "n"))
    var maxBatch: Int?

    @Option(
        help: ArgumentHelp(
            "Targets of the classification losses: soft (anything in the loss's domain, the default), hard (both), "
                + "one-hot (cross_entropy's hard) or binary (binary_cross_entropy's in {0, 1}); comma-separated.",
            valueName: "kind"),
        transform: FamilyOptions.labelsChoice)
    var labels: String?

    func validate() throws {
        for (value, flag, limit) in [
            (minDepth, "--min-depth", 64), (maxDepth, "--max-depth", 64), (minWidth, "--min-width", 1024),
            (maxWidth, "--max-width", 1024), (minBatch, "--min-batch", 1024), (maxBatch, "--max-batch", 1024),
        ] {
            if let value { try Expect.whole(value, flag, in: 1...limit) }
        }
        do throws(FamilyStatement.Refusal) { _ = try statement.resolve() } catch { throw ValidationError(error.description) }
    }

    /// What the options state.
    var statement: FamilyStatement {
        var s = FamilyStatement()
        s.name = family
        s.activations = activations?.values
        s.hiddenActivations = hiddenActivations?.values
        s.outputActivations = outputActivations?.values
        s.sameActivation = sameActivation
        s.losses = losses?.values
        s.labels = labels
        (s.minDepth, s.maxDepth, s.minWidth, s.maxWidth) = (minDepth, maxDepth, minWidth, maxWidth)
        (s.outputs, s.minBatch, s.maxBatch) = (outputs, minBatch, maxBatch)
        return s
    }

    /// Whether any family option was given.
    var isGiven: Bool { !statement.isEmpty }

    /// The family's name: the named family's, "all" for the whole contract, else "custom".
    var name: String {
        if let family, Family.named(family) == resolved { return family }
        return resolved == .all ? "all" : "custom"
    }

    /// The family stated (checked by `validate()`): the named one (or the whole contract), narrowed by the other options.
    var resolved: Family { (try? statement.resolve()) ?? .all }

    /// A note for each loss asked for by --losses that the family cannot draw, and why (an error
    /// only when no loss fits).
    var droppedLossNotes: [String] {
        let f = resolved
        return (losses?.values ?? []).compactMap { loss in
            guard let output = loss.requiredOutput, !f.outputActivations.contains(output) else { return nil }
            return
                "note: --losses \(loss.rawValue) is not drawn: it needs a \(output.rawValue) output layer, which the family's output activations do not allow"
        }
    }

    @Sendable static func named(_ text: String) throws -> String {
        guard Family.named(text) != nil else {
            throw ValidationError("unknown family \"\(text)\"; expected one of \(Family.named.map(\.name).joined(separator: ", "))")
        }
        return text
    }

    /// "1", "2-4" or "2-".
    @Sendable static func outputRange(_ text: String) throws -> ClosedRange<Int> {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        let low = parts.first.flatMap { Int($0) }
        let high: Int? = parts.count == 1 ? low : parts.count == 2 ? (parts[1].isEmpty ? Family.unlimited : Int(parts[1])) : nil
        guard let low, let high, low >= 1, low <= high, high == Family.unlimited || high <= 1024 else {
            throw ValidationError("expected N, N-M or N- with 1 ≤ N ≤ M ≤ 1024, got \"\(text)\"")
        }
        return low...high
    }

    @Sendable static func labelsChoice(_ text: String) throws -> String {
        var family = Family()
        if let why = family.setLabels(text) { throw ValidationError(why) }
        return text
    }
}

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
        if sameActivation { options.append("--same-activation") }
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

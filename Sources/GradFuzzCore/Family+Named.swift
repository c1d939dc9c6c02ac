extension Family {
    /// A family with a name, as `--family NAME` states it.
    public struct Named: Sendable {
        public var name: String
        public var description: String
        public var family: Family
    }

    /// The families of common course implementations (`--family NAME`; `gradfuzz validate --help` lists them).
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
        Named(
            name: "sigmoid-softmax-cross-entropy",
            description: "sigmoid hidden layers, a softmax output, cross_entropy with one-hot labels",
            family: Family(
                hiddenActivations: [.sigmoid], outputActivations: [.softmax], losses: [.crossEntropy],
                outputs: 2...unlimited, crossEntropyLabels: .hard)),
        Named(
            name: "tanh-softmax-cross-entropy",
            description: "tanh hidden layers, a softmax output, cross_entropy with one-hot labels",
            family: Family(
                hiddenActivations: [.tanh], outputActivations: [.softmax], losses: [.crossEntropy],
                outputs: 2...unlimited, crossEntropyLabels: .hard)),
        Named(
            name: "sigmoid-binary-cross-entropy",
            description: "sigmoid in every layer, one output unit, binary_cross_entropy with labels in {0, 1}",
            family: Family(
                hiddenActivations: [.sigmoid], outputActivations: [.sigmoid], losses: [.binaryCrossEntropy],
                outputs: 1...1, binaryLabels: .hard)),
        Named(
            name: "relu-identity-squared-error", description: "relu hidden layers, an identity (linear) output, squared_error: regression",
            family: Family(hiddenActivations: [.relu], outputActivations: [.identity], losses: [.squaredError])),
        Named(
            name: "same-sigmoid-or-tanh-squared-error",
            description: "one activation for the whole network, sigmoid or tanh, in every layer; squared_error",
            family: Family(
                hiddenActivations: [.sigmoid, .tanh], outputActivations: [.sigmoid, .tanh], losses: [.squaredError],
                sameActivation: true)),
    ]

    /// The named family called `name`.
    public static func named(_ name: String) -> Family? { named.first { $0.name == name }?.family }
}

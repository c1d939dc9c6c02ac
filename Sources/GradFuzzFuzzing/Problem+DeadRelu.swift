import GradFuzzCore

extension Problem {
    /// Whether some relu layer is dead for the whole batch: z^(i,l)_j ≤ 0 for every sample i and
    /// every unit j of a layer l whose activation is relu.
    ///
    /// Then f′(z^(l)) = 0 everywhere, so g^(l) = 0 and, below it, every g, dW and db is 0 whatever
    /// the program does there: a mistake in those layers cannot show, and the diagnosis cannot tell
    /// mistakes apart (f(z) and f′(z) are both 0). A shrunk case never becomes one.
    public var hasDeadReluLayer: Bool {
        let z = Reference.forward(self).z
        return network.activations.indices.contains { l in
            network.activations[l] == .relu && z[l].storage.allSatisfy { $0 <= 0 }
        }
    }
}

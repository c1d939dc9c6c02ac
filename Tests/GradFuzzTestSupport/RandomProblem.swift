import GradFuzz

/// A problem with the given layer sizes, activations and loss, drawn from `seed`, away from kinks.
public func randomProblem(_ layers: [Int], _ activations: [Activation], _ loss: Loss, batch: Int = 3, seed: UInt64) -> Problem {
    let recipe = CuratedFixtures.Recipe(id: "test", description: "", layers: layers, activations: activations, loss: loss, batch: batch)
    return CuratedFixtures.problem(for: recipe, seed: seed)
}

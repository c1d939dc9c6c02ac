import GradFuzzFixtures
import GradFuzzOracle
import GradFuzzTestSupport
import Testing

@testable import GradFuzzCore

/// One identity neuron, squared_error, two samples, worked by hand:
/// z = w x + b, L = ½ (z − y)², so ∂L/∂w = (z − y) x, ∂L/∂b = z − y, g = z − y.
/// w = 2, b = 1; (x, y) = (3, 4): z = 7, r = 3; (x, y) = (−1, 0): z = −1, r = −1.
/// Cost = ½ (½·9 + ½·1) = 2.5; dW = ½ (3·3 + (−1)(−1)) = 5; db = ½ (3 − 1) = 1.
@Test func oneNeuronByHand() {
    let problem = Problem(
        network: Network(layers: [1, 1], activations: [.identity], W: [Matrix(rows: [[2]], columns: 1)], b: [[1]]),
        loss: .squaredError, X: Matrix(rows: [[3], [-1]], columns: 1), Y: Matrix(rows: [[4], [0]], columns: 1))
    let g = Reference.backprop(problem)
    #expect(g.cost == 2.5)
    #expect(g.dW[0][0, 0] == 5)
    #expect(g.db[0] == [1])
    #expect(g.delta[0].storage == [3, -1])
    #expect(g.z[0].storage == [7, -1])
}

/// Two layers by hand, to pin the orientation of W (m_{l−1} × m_l, z = Wᵀa + b) and eq. (110) with f':
/// x = [1, 2]; W¹ = [[1, 0, 2], [0, 1, −1]] (2×3), b¹ = 0, relu: z¹ = [1, 2, 0.5] … but with
/// b¹ = [0, 0, −1]: z¹ = [1, 2, −1], a¹ = [1, 2, 0]; W² = [[1], [1], [5]], b² = 0, identity: z² = 3; y = 1.
/// g² = z² − y = 2; W² g² = [2, 2, 10]; g¹ = relu'(z¹) ⊙ that = [2, 2, 0];
/// dW² = a¹ g² = [[2], [4], [0]]; dW¹ = x g¹ᵀ = [[2, 2, 0], [4, 4, 0]].
@Test func twoLayersByHand() {
    let problem = Problem(
        network: Network(
            layers: [2, 3, 1], activations: [.relu, .identity],
            W: [Matrix(rows: [[1, 0, 2], [0, 1, -1]], columns: 3), Matrix(rows: [[1], [1], [5]], columns: 1)],
            b: [[0, 0, -1], [0]]),
        loss: .squaredError, X: Matrix(rows: [[1, 2]], columns: 2), Y: Matrix(rows: [[1]], columns: 1))
    let g = Reference.backprop(problem)
    #expect(g.z[0].storage == [1, 2, -1])
    #expect(g.delta[1].storage == [2])
    #expect(g.delta[0].storage == [2, 2, 0])
    #expect(g.dW[1].storage == [2, 4, 0])
    #expect(g.dW[0].nested == [[2, 2, 0], [4, 4, 0]])
    #expect(g.db[0] == [2, 2, 0])
    #expect(g.cost == 2)
}

@Test(arguments: Loss.allCases)
func referenceAgreesWithOracleForEveryActivationAndLoss(_ loss: Loss) {
    var seed: UInt64 = 100
    for hidden in Activation.allCases {
        for output in loss.requiredOutput.map({ [$0] }) ?? Activation.allCases {
            seed += 1
            let problem = randomProblem([3, 4, 3, 2], [hidden, .tanh, output], loss, batch: 3, seed: seed)
            let verdict = Verdict(answer: Reference.backprop(problem).answer, oracle: Oracle().differentiate(problem))
            #expect(verdict.passed, "\(hidden.rawValue) → \(output.rawValue) with \(loss.rawValue):\n\(verdict.table())\n\(verdict.failureDetails())")
            #expect(verdict.kinks == 0)
        }
    }
}

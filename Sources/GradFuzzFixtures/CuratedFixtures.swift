import GradFuzzCore
import GradFuzzOracle

/// The curated fixture set under fixtures/: every activation in a hidden layer, every loss after every
/// output activation it is compatible with, and the shapes and scales where backprop goes wrong
/// (one neuron, no hidden layer, batch 1, deep, wide, saturation, softmax in a hidden layer, values
/// close to a kink, large and tiny weights).
///
/// Each fixture is drawn from its own seed, so the set regenerates byte for byte
/// (`gradfuzz fixtures`).
public enum CuratedFixtures {
    /// How one curated problem is drawn.
    public struct Recipe: Sendable {
        public var id: String
        public var description: String
        public var layers: [Int]
        public var activations: [Activation]
        public var loss: Loss
        public var batch = 3
        /// W^(l) ~ N(0, weightScale² / m_{l−1}).
        public var weightScale = 1.0
        /// b^(l) ~ N(0, biasScale²).
        public var biasScale = 0.5
        /// x ~ N(0, inputScale²).
        public var inputScale = 1.0
        /// How close to a kink a relu/leaky_relu pre-activation, an absolute_error residual or a hinge
        /// margin may come; `nearKink` instead puts one such value this close.
        public var kinkMargin = 0.05
        public var nearKink: Double?
        /// Class labels for a classification loss: one-hot rows (cross_entropy), entries in {0, 1} (binary_cross_entropy).
        public var hardLabels = false

        public init(
            id: String, description: String, layers: [Int], activations: [Activation], loss: Loss, batch: Int = 3,
            weightScale: Double = 1, biasScale: Double = 0.5, inputScale: Double = 1, kinkMargin: Double = 0.05,
            nearKink: Double? = nil, hardLabels: Bool = false
        ) {
            self.id = id
            self.description = description
            self.layers = layers
            self.activations = activations
            self.loss = loss
            self.batch = batch
            self.weightScale = weightScale
            self.biasScale = biasScale
            self.inputScale = inputScale
            self.kinkMargin = kinkMargin
            self.nearKink = nearKink
            self.hardLabels = hardLabels
        }
    }

    public static var recipes: [Recipe] {
        var list: [Recipe] = []
        for f in Activation.allCases {
            list.append(
                Recipe(
                    id: "hidden-\(f.rawValue)", description: "\(f.rawValue) in a hidden layer",
                    layers: [3, 4, 2], activations: [f, .identity], loss: .squaredError))
        }
        for loss in Loss.allCases {
            for output in loss.requiredOutput.map({ [$0] }) ?? Activation.allCases {
                list.append(
                    Recipe(
                        id: "loss-\(loss.rawValue)-after-\(output.rawValue)",
                        description: "\(loss.rawValue) after a \(output.rawValue) output layer",
                        layers: [3, 4, 3], activations: [.tanh, output], loss: loss))
            }
        }
        list += [
            Recipe(
                id: "one-neuron", description: "a single sigmoid neuron: one input, one output",
                layers: [1, 1], activations: [.sigmoid], loss: .squaredError),
            Recipe(
                id: "depth-1", description: "no hidden layer: the output layer alone (eq. 100 with a^(i,0) = x^(i))",
                layers: [4, 3], activations: [.tanh], loss: .squaredError),
            Recipe(
                id: "batch-1", description: "a batch of one sample (1/m = 1)",
                layers: [3, 4, 2], activations: [.sigmoid, .identity], loss: .squaredError, batch: 1),
            Recipe(
                id: "deep", description: "nine layers of mixed activations",
                layers: [3, 4, 4, 3, 4, 4, 3, 4, 3, 2],
                activations: [.tanh, .sigmoid, .elu, .silu, .softplus, .gelu, .softsign, .tanh, .identity],
                loss: .squaredError, batch: 2),
            Recipe(
                id: "wide", description: "a hidden layer of 64 units",
                layers: [5, 64, 3], activations: [.tanh, .sigmoid], loss: .binaryCrossEntropy, batch: 2),
            Recipe(
                id: "saturated-sigmoid", description: "large weights drive sigmoid units into saturation (f' ≈ 0)",
                layers: [3, 4, 2], activations: [.sigmoid, .sigmoid], loss: .squaredError, weightScale: 8, inputScale: 2),
            Recipe(
                id: "saturated-tanh", description: "large weights drive tanh units into saturation (f' ≈ 0)",
                layers: [3, 4, 2], activations: [.tanh, .tanh], loss: .squaredError, weightScale: 8, inputScale: 2),
            Recipe(
                id: "softmax-hidden", description: "softmax in a hidden layer: its Jacobian diag(s) − s sᵀ in the backward pass",
                layers: [3, 4, 3, 2], activations: [.tanh, .softmax, .identity], loss: .squaredError),
            Recipe(
                id: "near-relu-kink", description: "relu pre-activations close to (not at) 0",
                layers: [3, 4, 2], activations: [.relu, .identity], loss: .squaredError, kinkMargin: 0.005, nearKink: 0.01),
            Recipe(
                id: "near-leaky-relu-kink", description: "leaky_relu pre-activations close to (not at) 0",
                layers: [3, 4, 2], activations: [.leakyReLU, .identity], loss: .squaredError, kinkMargin: 0.005, nearKink: 0.01),
            Recipe(
                id: "near-absolute-error-kink", description: "absolute_error residuals a − y close to (not at) 0",
                layers: [3, 4, 2], activations: [.tanh, .identity], loss: .absoluteError, kinkMargin: 0.005, nearKink: 0.01),
            Recipe(
                id: "near-hinge-kink", description: "hinge margins 1 − y·a close to (not at) 0",
                layers: [3, 4, 2], activations: [.tanh, .identity], loss: .hinge, kinkMargin: 0.005, nearKink: 0.01),
            Recipe(
                id: "large-weights", description: "weights of order 30 with identity and softsign layers",
                layers: [3, 4, 2], activations: [.softsign, .identity], loss: .huber, weightScale: 30),
            Recipe(
                id: "tiny-weights", description: "weights of order 1e-4",
                layers: [3, 4, 2], activations: [.tanh, .identity], loss: .squaredError, weightScale: 1e-4, biasScale: 1e-4),
            Recipe(
                id: "multilayer-relu-cross-entropy", description: "a relu network with a softmax output and cross_entropy",
                layers: [4, 5, 5, 3], activations: [.relu, .relu, .softmax], loss: .crossEntropy, batch: 4),
            // Last, so that the recipes before it keep their seeds.
            Recipe(
                id: "equal-widths",
                description: "four layers of 4 units: W^(l) and W^(l+1) share a shape, so a layer index off by one or a transposed dW goes unnoticed by shapes",
                layers: [4, 4, 4, 4], activations: [.tanh, .sigmoid, .identity], loss: .squaredError),
            // Appended, so that the recipes before them keep their seeds: the classification families of course implementations.
            Recipe(
                id: "hard-label-cross-entropy", description: "relu hidden layers, a softmax output and cross_entropy with one-hot labels (class indices)",
                layers: [4, 5, 3], activations: [.relu, .softmax], loss: .crossEntropy, batch: 4, hardLabels: true),
            Recipe(
                id: "single-output-binary-cross-entropy",
                description: "relu hidden layers, one sigmoid output unit and binary_cross_entropy with labels in {0, 1}",
                layers: [3, 4, 4, 1], activations: [.relu, .relu, .sigmoid], loss: .binaryCrossEntropy, batch: 4, hardLabels: true),
        ]
        return list
    }

    /// Every curated fixture, in a fixed order.
    /// `oracle` nil leaves the fixtures without oracle values (a set validated in memory needs none).
    public static func all(oracle: Oracle? = Oracle()) -> [Fixture] {
        recipes.enumerated().map { n, recipe in
            Fixture(
                id: recipe.id, description: recipe.description, origin: .curated,
                problem: problem(for: recipe, seed: UInt64(n + 1)), oracle: oracle)
        }
    }

    /// Draws the recipe's problem, re-drawing until no kinked quantity is closer to its kink than the margin.
    public static func problem(for recipe: Recipe, seed: UInt64) -> Problem {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<10_000 {
            var problem = draw(recipe, using: &rng)
            if let target = recipe.nearKink { moveNearKink(&problem, distance: target) }
            if distanceToKink(problem) >= recipe.kinkMargin { return problem }
        }
        preconditionFailure("recipe \(recipe.id) found no problem away from its kinks")
    }

    static func draw(_ recipe: Recipe, using rng: inout SplitMix64) -> Problem {
        let layers = recipe.layers
        let W = (0..<(layers.count - 1)).map { l in
            Matrix(
                rows: (0..<layers[l]).map { _ in
                    (0..<layers[l + 1]).map { _ in
                        rng.normal() * recipe.weightScale / Double(layers[l]).squareRoot()
                    }
                }, columns: layers[l + 1])
        }
        let b = layers.dropFirst().map { width in (0..<width).map { _ in rng.normal() * recipe.biasScale } }
        let X = Matrix(
            rows: (0..<recipe.batch).map { _ in (0..<layers[0]).map { _ in rng.normal() * recipe.inputScale } },
            columns: layers[0])
        let Y = Matrix(
            rows: (0..<recipe.batch).map { _ in targets(recipe.loss, count: layers.last!, hard: recipe.hardLabels, using: &rng) },
            columns: layers.last!)
        return Problem(
            network: Network(layers: layers, activations: recipe.activations, W: W, b: b),
            loss: recipe.loss, X: X, Y: Y)
    }

    /// Targets inside the loss's domain; `hard`: class labels (one-hot for cross_entropy, 0 or 1 for binary_cross_entropy).
    public static func targets(_ loss: Loss, count: Int, hard: Bool = false, using rng: inout SplitMix64) -> [Double] {
        switch loss {
        case .crossEntropy where hard:
            var y = [Double](repeating: 0, count: count)
            y[Int.random(in: 0..<count, using: &rng)] = 1
            return y
        case .binaryCrossEntropy where hard: return (0..<count).map { _ in Bool.random(using: &rng) ? 1 : 0 }
        case .crossEntropy:
            let e = (0..<count).map { _ in Double.exp(rng.normal()) }
            let total = e.reduce(0, +)
            return e.map { $0 / total }
        case .binaryCrossEntropy: return (0..<count).map { _ in Double.random(in: 0...1, using: &rng) }
        case .hinge: return (0..<count).map { _ in Bool.random(using: &rng) ? 1 : -1 }
        default: return (0..<count).map { _ in rng.normal() }
        }
    }

    /// Shifts one bias so that the first kinked quantity of sample 0 sits `distance` from its kink.
    static func moveNearKink(_ problem: inout Problem, distance: Double) {
        let net = problem.network
        let (z, a, _) = Reference.forward(problem)
        if let l = net.activations.firstIndex(where: \.hasKinkAtZero) {
            problem.network.b[l][0] += distance - z[l][0, 0]
        } else if problem.loss.hasKink {
            let L = net.depth - 1, y = problem.Y[0, 0]
            // absolute_error: a − y = distance; hinge: 1 − y·a = distance (identity output: a moves with b).
            let wanted = problem.loss == .hinge ? (1 - distance) / y : y + distance
            problem.network.b[L][0] += wanted - a[L][0, 0]
        }
    }

    /// The distance of the closest kinked quantity from its kink or curvature kink (`Problem.kinkClearance`).
    public static func distanceToKink(_ problem: Problem) -> Double {
        let (z, a, losses) = Reference.forward(problem)
        guard losses.allSatisfy(\.isFinite) else { return 0 }
        return problem.kinkClearance(z: z, a: a)
    }
}

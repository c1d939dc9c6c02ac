import GradFuzzCore
import RealModule

/// The catalog of backprop mistakes: each a `Mutant` of the reference's backward pass, named,
/// with the mistake in one sentence and the fix, and where it changes the result.
public enum MutantCatalog {
    /// Every mutant, in catalog order (general mistakes first, then activation- and loss-specific ones).
    public static let all: [Mutant] = [
        fInsteadOfFprime, fprimeDroppedHidden, fprimeDroppedOutput, fprimeOfA,
        noOneOverM, oneOverMTwice, dbSummed, signFlipped,
        weightsOffByOneLayer, activationOffByOneInDW, dWTransposed,
        softmaxJacobianDiagonal, tanhPrimeOneMinusZSquared, sigmoidPrimeSigmaOneMinusZ,
        leakyReLUSlopeWrong, geluPrimeMissingZPhi, softsignPrimeNotSquared,
        squaredErrorGradientDoubled, crossEntropyGradientSignFlipped, binaryCrossEntropyMissingOneMinusY,
        huberGradientNotClipped, logCoshGradientR, hingeGradientWrongSide,
    ]

    /// The mutant called `name`, if there is one.
    public static func named(_ name: String) -> Mutant? { all.first { $0.name == name } }

    // MARK: The derivative of the activation

    static let fInsteadOfFprime = Mutant(
        name: "f_instead_of_fprime",
        mistake: "uses f(z) in place of f'(z) when propagating g to a hidden layer",
        fix: "G[{k}] = (G[{k+1}] @ W[{k+1}].T) * fprime(Z[{k}]): f′ at Z[{k}], not f(Z[{k}])",
        condition: "a hidden layer",
        hooks: hooks(unfused: []) { f, z, a, u, position in
            position == .hidden ? zip(a, u).map(*) : nil
        },
        appliesTo: { $0.network.depth >= 2 },
        cannotOccur: needsHiddenLayer)

    static let fprimeDroppedHidden = Mutant(
        name: "fprime_dropped_hidden",
        mistake: "leaves f'(z) out in the hidden layers, propagating g^(l) = W^(l+1) g^(l+1)",
        fix: "G[{k}] = (G[{k+1}] @ W[{k+1}].T) * fprime(Z[{k}]): multiply by the hidden layer's derivative",
        condition: "a hidden layer that is not identity",
        hooks: hooks(unfused: []) { f, z, a, u, position in position == .hidden ? u : nil },
        appliesTo: { $0.hiddenActivations.contains { $0 != .identity } },
        cannotOccur: {
            $0.hasHiddenLayers && $0.hiddenActivations.contains { $0 != .identity } ? nil : "no network of the family has a hidden layer that is not identity"
        })

    static let fprimeDroppedOutput = Mutant(
        name: "fprime_dropped_output",
        mistake: "takes δ^(L) = ∇_a L, leaving out the output layer's f'(z) (its Jacobian for softmax)",
        fix:
            "G[-1] = fprime(Z[-1]) * dL_dA, with the output layer's derivative; after softmax, s * (u - (s * u).sum(axis=1, keepdims=True)) with s = A[-1], u = dL_dA",
        condition: "an output layer that is not identity",
        hooks: hooks(unfused: Set(Activation.allCases)) { f, z, a, u, position in position == .output ? u : nil },
        appliesTo: { $0.network.activations.last != .identity },
        cannotOccur: { f in
            f.drawableLosses.flatMap(f.outputActivations(for:)).contains { $0 != .identity } ? nil : "every output layer of the family is identity"
        })

    /// Activations whose f'(a) differs from f'(z) (for identity, relu and leaky_relu they agree, as a and z share their sign).
    static let derivativeDependsOnValue: Set<Activation> = [.sigmoid, .tanh, .elu, .softplus, .silu, .gelu, .softsign]

    static let fprimeOfA = Mutant(
        name: "fprime_of_a",
        mistake: "evaluates the derivative at the activation a instead of at z, e.g. σ'(a) = σ(a)(1 − σ(a)) where σ'(z) belongs",
        fix: "evaluate f′ at Z, not at A: A * (1 - A) is sigmoid′(Z) written with A = sigmoid(Z); sigmoid′(A) is another number",
        condition: "a sigmoid, tanh, elu, softplus, silu, gelu or softsign layer",
        hooks: derivativeMistake(of: derivativeDependsOnValue) { f, z, a in f.derivative(z: a, a: f.value(a)) },
        appliesTo: { $0.network.activations.contains(where: derivativeDependsOnValue.contains) },
        cannotOccur: needsActivation(derivativeDependsOnValue))

    static let softmaxJacobianDiagonal = Mutant(
        name: "softmax_jacobian_diagonal",
        mistake: "treats softmax as element-wise, keeping only the diagonal s(1 − s) of its Jacobian",
        fix: "use the whole Jacobian: s * (u - (s * u).sum(axis=1, keepdims=True)), not s * (1 - s) * u",
        condition: "a softmax layer",
        hooks: hooks(unfused: [.softmax]) { f, z, a, u, position in
            f == .softmax ? a.indices.map { a[$0] * (1 - a[$0]) * u[$0] } : nil
        },
        appliesTo: { $0.uses(.softmax) },
        cannotOccur: needsActivation([.softmax]))

    static let tanhPrimeOneMinusZSquared = Mutant(
        name: "tanh_prime_one_minus_z_squared",
        mistake: "writes tanh'(z) as 1 − z², squaring z where tanh z belongs",
        fix: "fprime = 1 - A**2 for tanh (= 1 - np.tanh(Z)**2), not 1 - Z**2",
        condition: "a tanh layer",
        hooks: derivativeMistake(of: [.tanh]) { f, z, a in 1 - z * z },
        appliesTo: { $0.uses(.tanh) },
        cannotOccur: needsActivation([.tanh]))

    static let sigmoidPrimeSigmaOneMinusZ = Mutant(
        name: "sigmoid_prime_sigma_one_minus_z",
        mistake: "writes σ'(z) as σ(z)(1 − z), mixing z into the derivative where σ(z) belongs",
        fix: "fprime = A * (1 - A) for sigmoid (= sigmoid(Z) * (1 - sigmoid(Z))), not sigmoid(Z) * (1 - Z)",
        condition: "a sigmoid layer",
        hooks: derivativeMistake(of: [.sigmoid]) { f, z, a in a * (1 - z) },
        appliesTo: { $0.uses(.sigmoid) },
        cannotOccur: needsActivation([.sigmoid]))

    static let leakyReLUSlopeWrong = Mutant(
        name: "leaky_relu_slope_wrong",
        mistake: "reuses relu's derivative for leaky_relu, slope 0 for z ≤ 0 where the forward pass used 0.01",
        fix: "fprime = np.where(Z > 0, 1, 0.01) for leaky_relu: the forward pass's slope, not 0",
        condition: "a leaky_relu layer with some z ≤ 0",
        hooks: derivativeMistake(of: [.leakyReLU]) { f, z, a in z > 0 ? 1 : 0 },
        appliesTo: { problem in
            let z = Reference.forward(problem).z
            return problem.network.activations.indices.contains { l in
                problem.network.activations[l] == .leakyReLU && z[l].storage.contains { $0 <= 0 }
            }
        },
        cannotOccur: needsActivation([.leakyReLU]))

    static let geluPrimeMissingZPhi = Mutant(
        name: "gelu_prime_missing_z_phi",
        mistake: "differentiates gelu(z) = z·Φ(z) as Φ(z) alone, dropping the product rule's z·φ(z) term",
        fix: "fprime = Φ(Z) + Z * φ(Z) for gelu, φ the standard normal density: the product rule's second term",
        condition: "a gelu layer",
        hooks: derivativeMistake(of: [.gelu]) { f, z, a in (1 + Double.erf(z / 2.0.squareRoot())) / 2 },
        appliesTo: { $0.uses(.gelu) },
        cannotOccur: needsActivation([.gelu]))

    static let softsignPrimeNotSquared = Mutant(
        name: "softsign_prime_not_squared",
        mistake: "writes softsign'(z) as 1/(1 + |z|), forgetting to square the denominator",
        fix: "fprime = 1 / (1 + np.abs(Z))**2 for softsign: the denominator squared",
        condition: "a softsign layer",
        hooks: derivativeMistake(of: [.softsign]) { f, z, a in 1 / (1 + abs(z)) },
        appliesTo: { $0.uses(.softsign) },
        cannotOccur: needsActivation([.softsign]))

    // MARK: Batch averaging and sign

    static let noOneOverM = Mutant(
        name: "no_one_over_m",
        mistake: "sums dW and db over the batch without dividing by m",
        fix: "dW[k] = A[k].T @ G[k] / m and db[k] = G[k].sum(axis=0) / m, m = X.shape[0]: the cost is the mean over the batch",
        condition: "a batch of more than one sample",
        hooks: {
            var h = BackwardHooks(); h.dWScale = { _ in 1 }; h.dbScale = { _ in 1 }; return h
        }(),
        appliesTo: { $0.batchSize > 1 },
        cannotOccur: needsBatch)

    static let oneOverMTwice = Mutant(
        name: "one_over_m_twice",
        mistake: "divides by m twice, once in δ^(L) and again when averaging dW and db",
        fix: "divide by m once: G[k] is per sample (no / m in it); only dW[k] = A[k].T @ G[k] / m and db[k] = G[k].mean(axis=0) carry it",
        condition: "a batch of more than one sample",
        hooks: {
            var h = BackwardHooks(); h.outputDeltaScale = { 1 / Double($0) }; return h
        }(),
        appliesTo: { $0.batchSize > 1 },
        cannotOccur: needsBatch)

    static let dbSummed = Mutant(
        name: "db_summed",
        mistake: "averages dW over the batch but sums db without dividing by m",
        fix: "db[k] = G[k].mean(axis=0), averaged like dW[k]",
        condition: "a batch of more than one sample",
        hooks: {
            var h = BackwardHooks(); h.dbScale = { _ in 1 }; return h
        }(),
        appliesTo: { $0.batchSize > 1 },
        cannotOccur: needsBatch)

    static let signFlipped = Mutant(
        name: "sign_flipped",
        mistake: "takes the error as y − a instead of a − y, so every gradient comes out with its sign flipped",
        fix: "the gradient, not its negative: dL_dA = {dL_dA}; the minus sign belongs to the descent step",
        condition: "any problem",
        hooks: {
            var h = BackwardHooks(); h.outputDeltaScale = { _ in -1 }; return h
        }(),
        appliesTo: { _ in true })

    // MARK: Indices and shapes

    static let weightsOffByOneLayer = Mutant(
        name: "weights_off_by_one_layer",
        mistake: "propagates g^(l+1) to layer l through W^(l) instead of W^(l+1), a layer index off by one",
        fix: "G[{k}] = (G[{k+1}] @ W[{k+1}].T) * fprime(Z[{k}]): W[{k+1}], the weights after layer {k}'s output, not W[{k}]",
        condition: "two consecutive weight matrices of the same shape (m_{l−1} = m_l = m_{l+1})",
        hooks: {
            var h = BackwardHooks()
            // Propagating g^(l) to layer l − 1 needs W^(l) = W[l − 1]; the mistake takes W^(l−1) = W[l − 2].
            h.propagationWeight = { net, l in
                let (right, wrong) = (net.W[l - 1], net.W[l - 2])
                return wrong.rows == right.rows && wrong.columns == right.columns ? wrong : right
            }
            return h
        }(),
        appliesTo: { p in hasTwoEqualWeightShapes(p) },
        cannotOccur: canHaveTwoEqualWeightShapes)

    static func hasTwoEqualWeightShapes(_ p: Problem) -> Bool {
        let m = p.network.layers
        guard m.count >= 3 else { return false }
        for l in 2..<m.count where m[l - 2] == m[l - 1] && m[l - 1] == m[l] { return true }
        return false
    }

    static let activationOffByOneInDW = Mutant(
        name: "activation_off_by_one_in_dw",
        mistake: "computes dW^(l) from the layer's own activation a^(l) instead of its input a^(l−1)",
        fix: "dW[k] = A[k].T @ G[k] / m: A[k] is the input of W[k] (A[0] = X), not its output A[k+1]",
        condition: "a layer with as many inputs as units (m_{l−1} = m_l)",
        hooks: {
            var h = BackwardHooks()
            h.dWInput = { l, values in values[l].count == values[l - 1].count ? values[l] : values[l - 1] }
            return h
        }(),
        appliesTo: { p in hasSquareLayer(p) },
        cannotOccur: canHaveSquareLayer(atLeast: 1))

    static let dWTransposed = Mutant(
        name: "dw_transposed",
        mistake: "returns dW^(l) transposed, m_l × m_{l−1}, as g aᵀ instead of a gᵀ",
        fix: "dW[k] = A[k].T @ G[k] / m, shaped like W[k] (a row per input, a column per unit), not G[k].T @ A[k]",
        condition: "a square weight matrix (m_{l−1} = m_l ≥ 2); elsewhere the shape gives it away",
        hooks: {
            var h = BackwardHooks(); h.transposeSquareDW = true; return h
        }(),
        appliesTo: { p in hasSquareLayer(p, atLeast: 2) },
        cannotOccur: canHaveSquareLayer(atLeast: 2))

    static func hasSquareLayer(_ p: Problem, atLeast size: Int = 1) -> Bool {
        let m = p.network.layers
        return (1..<m.count).contains { m[$0 - 1] == m[$0] && m[$0] >= size }
    }

    // MARK: The gradient of the loss

    static let squaredErrorGradientDoubled = Mutant(
        name: "squared_error_gradient_doubled",
        mistake: "differentiates ½(a − y)² as 2(a − y), forgetting the ½ that cancels the exponent",
        fix: "dL_dA = A[-1] - Y: the ½ of ½ Σ (A − Y)² cancels the exponent's 2",
        condition: "squared_error",
        hooks: lossMistake { loss, a, y in loss == .squaredError ? 2 * (a - y) : nil },
        appliesTo: { $0.loss == .squaredError },
        cannotOccur: needsLoss(.squaredError))

    static let crossEntropyGradientSignFlipped = Mutant(
        name: "cross_entropy_gradient_sign_flipped",
        mistake: "drops the minus sign of cross_entropy, taking ∂L/∂a_k = y_k/a_k",
        fix: "dL_dA = -Y / A[-1]; after softmax G[-1] = A[-1] * Y.sum(axis=1, keepdims=True) - Y (= A[-1] - Y for one-hot Y)",
        condition: "cross_entropy",
        hooks: lossMistake { loss, a, y in loss == .crossEntropy ? (y == 0 ? 0 : y / a) : nil },
        appliesTo: { $0.loss == .crossEntropy },
        cannotOccur: needsLoss(.crossEntropy))

    static let binaryCrossEntropyMissingOneMinusY = Mutant(
        name: "binary_cross_entropy_missing_one_minus_y",
        mistake: "differentiates only the y log a term of binary_cross_entropy, taking ∂L/∂a = −y/a without + (1 − y)/(1 − a)",
        fix: "dL_dA = -Y / A[-1] + (1 - Y) / (1 - A[-1]); after sigmoid G[-1] = A[-1] - Y",
        condition: "binary_cross_entropy with some target y ≠ 1",
        hooks: lossMistake { loss, a, y in loss == .binaryCrossEntropy ? -y / a : nil },
        appliesTo: { $0.loss == .binaryCrossEntropy && $0.Y.storage.contains { $0 != 1 } },
        cannotOccur: needsLoss(.binaryCrossEntropy))

    static let huberGradientNotClipped = Mutant(
        name: "huber_gradient_not_clipped",
        mistake: "takes huber's gradient as a − y everywhere, not clipping it to ±1 where |a − y| > 1",
        fix: "dL_dA = np.clip(A[-1] - Y, -1, 1)",
        condition: "huber with some |a − y| > 1",
        hooks: lossMistake { loss, a, y in loss == .huber ? a - y : nil },
        appliesTo: { problem in
            guard problem.loss == .huber else { return false }
            let a = Reference.forward(problem).a[problem.network.depth - 1]
            return a.storage.indices.contains { abs(a.storage[$0] - problem.Y.storage[$0]) > 1 }
        },
        cannotOccur: needsLoss(.huber))

    static let logCoshGradientR = Mutant(
        name: "log_cosh_gradient_r",
        mistake: "takes log_cosh's gradient as r = a − y instead of tanh r",
        fix: "dL_dA = np.tanh(A[-1] - Y)",
        condition: "log_cosh",
        hooks: lossMistake { loss, a, y in loss == .logCosh ? a - y : nil },
        appliesTo: { $0.loss == .logCosh },
        cannotOccur: needsLoss(.logCosh))

    static let hingeGradientWrongSide = Mutant(
        name: "hinge_gradient_wrong_side",
        mistake: "applies hinge's gradient −y on the wrong side of the margin, where y·a > 1 instead of y·a < 1",
        fix: "dL_dA = np.where(Y * A[-1] < 1, -Y, 0): −Y only where the margin is violated",
        condition: "hinge",
        hooks: lossMistake { loss, a, y in loss == .hinge ? (y * a > 1 ? -y : 0) : nil },
        appliesTo: { $0.loss == .hinge },
        cannotOccur: needsLoss(.hinge))

    // MARK: Where a mistake can occur in a family

    static let needsHiddenLayer: @Sendable (Family) -> String? = {
        $0.hasHiddenLayers ? nil : "no network of the family has a hidden layer"
    }

    static let needsBatch: @Sendable (Family) -> String? = {
        $0.batch.upperBound >= 2 ? nil : "every batch of the family has one sample"
    }

    static func needsActivation(_ wanted: Set<Activation>) -> @Sendable (Family) -> String? {
        { family in
            family.anyLayerActivations.isDisjoint(with: wanted)
                ? "no layer of the family is \(Activation.allCases.filter(wanted.contains).map(\.rawValue).joined(separator: " or "))" : nil
        }
    }

    static func needsLoss(_ loss: Loss) -> @Sendable (Family) -> String? {
        { $0.drawableLosses.contains(loss) ? nil : "the family has no \(loss.rawValue) loss" }
    }

    /// m_{l−2} = m_{l−1} = m_l for some l: three input or hidden widths (depth ≥ 3), or two and the output's.
    static let canHaveTwoEqualWeightShapes: @Sendable (Family) -> String? = { family in
        guard let depths = family.possibleDepths else { return "the family has no network" }
        if depths.upperBound >= 3 { return nil }
        if depths.upperBound == 2 && family.width.overlaps(family.outputWidth) { return nil }
        return "no network of the family has two consecutive weight matrices of the same shape"
    }

    /// m_{l−1} = m_l ≥ `size` for some l.
    static func canHaveSquareLayer(atLeast size: Int) -> @Sendable (Family) -> String? {
        { family in
            guard let depths = family.possibleDepths else { return "the family has no network" }
            let wide = size...Family.unlimited
            if depths.upperBound >= 2 && family.width.overlaps(wide) { return nil }
            if family.width.clamped(to: family.outputWidth).overlaps(wide) && family.width.overlaps(family.outputWidth) { return nil }
            return size > 1
                ? "no network of the family has a square weight matrix of 2 or more units (m_{l−1} = m_l ≥ 2)"
                : "no network of the family has a layer with as many inputs as units"
        }
    }

    // MARK: Building hooks

    /// A mistake in Jᵀu through a layer: `wrong` returns the wrong g, or nil where the reference's is used.
    static func hooks(
        unfused: Set<Activation>,
        _ wrong: @escaping @Sendable (Activation, [Double], [Double], [Double], LayerPosition) -> [Double]?
    ) -> BackwardHooks {
        var h = BackwardHooks()
        h.unfusedOutput = unfused
        h.layerBackward = wrong
        return h
    }

    /// A mistake in f'(z) of the element-wise activations `affected`, in hidden and output layers
    /// alike: `wrong` returns the wrong f'(z) given f, z and a.
    static func derivativeMistake(
        of affected: Set<Activation>,
        _ wrong: @escaping @Sendable (Activation, Double, Double) -> Double
    ) -> BackwardHooks {
        hooks(unfused: affected) { f, z, a, u, _ in
            guard affected.contains(f) else { return nil }
            return z.indices.map { k in wrong(f, z[k], a[k]) * u[k] }
        }
    }

    /// A mistake in ∂L/∂a_k: `wrong` returns the wrong value, or nil where the reference's is used.
    static func lossMistake(_ wrong: @escaping @Sendable (Loss, Double, Double) -> Double?) -> BackwardHooks {
        var h = BackwardHooks()
        h.unfusedOutput = Set(Activation.allCases)
        h.lossGradient = { loss, a, y in wrong(loss, a, y) ?? loss.gradient(a: a, y: y) }
        return h
    }
}

/// What a backward pass computes for one problem: the cost and its gradient, and per sample the
/// forward values z^(i,l), a^(i,l) and the error signal g^(i,l).
///
/// Row i of `z[l - 1]`, `a[l - 1]` and `delta[l - 1]` is z^(i,l), a^(i,l) and g^(i,l) = ∂L_i/∂z^(i,l)
/// (per sample: without the 1/m of the cost).
public struct Gradients: Equatable, Sendable {
    public var cost: Double
    public var dW: [Matrix]
    public var db: [[Double]]
    public var delta: [Matrix]
    public var z: [Matrix]
    public var a: [Matrix]

    public init(cost: Double, dW: [Matrix], db: [[Double]], delta: [Matrix], z: [Matrix], a: [Matrix]) {
        self.cost = cost
        self.dW = dW
        self.db = db
        self.delta = delta
        self.z = z
        self.a = a
    }
}

/// The reference backpropagation, in Float64, in the notation of docs/notation.md, one equation per step.
///
/// The assignment prints three equations wrongly (docs/notation.md states them); this implements the right forms:
/// - eq. (1) writes w_kj, but W^(l) is m_{l−1} × m_l with entries w_jk: z_k = Σ_j w_jk a_j + b_k.
/// - eq. (110) and (4) write f(z^(i,L−1)) where f'(z^(i,L−1)) belongs.
/// - eq. (4.2) writes ⊗ (outer product) where ⊙ (element-wise product) belongs.
/// Eq. (3) and (108) hold for element-wise f only: for softmax δ = Jᵀ ∇_a L with J = diag(s) − s sᵀ.
///
/// The backward pass is written once: a catalogued mistake replaces one of its steps through
/// `BackwardHooks`, and with no hook set it is the reference.
public enum Reference {
    /// Eq. (*)/(1): z_k = b_k + Σ_j w_jk a_j, summed in this order (b first, then j = 0, 1, …)
    /// wherever gradfuzz computes a pre-activation, so every caller sees the same bits.
    public static func preActivation(_ W: Matrix, _ b: [Double], _ a: [Double]) -> [Double] {
        var z = b
        for k in 0..<W.columns {
            for j in 0..<W.rows { z[k] += W[j, k] * a[j] }
        }
        return z
    }

    /// One sample's forward pass: z^(l) by eq. (*)/(1), a^(l) = f_l(z^(l)) by eq. (**)/(2).
    public static func forward(_ net: Network, x: [Double]) -> (z: [[Double]], a: [[Double]]) {
        var z: [[Double]] = [], a: [[Double]] = []
        var input = x
        for l in 0..<net.depth {
            z.append(preActivation(net.W[l], net.b[l], input))
            input = net.activations[l].apply(z[l])
            a.append(input)
        }
        return (z, a)
    }

    /// The forward pass of every sample: z and a per layer (m rows each) and the loss L_i of each sample.
    public static func forward(_ problem: Problem) -> (z: [Matrix], a: [Matrix], losses: [Double]) {
        let net = problem.network
        let m = problem.batchSize
        var z = (1...net.depth).map { Matrix(rows: m, columns: net.layers[$0]) }
        var a = z
        var losses = [Double](repeating: 0, count: m)
        for i in 0..<m {
            let sample = forward(net, x: problem.X.row(i))
            for l in 0..<net.depth {
                z[l].setRow(i, sample.z[l])
                a[l].setRow(i, sample.a[l])
            }
            losses[i] = problem.loss.value(
                z: sample.z[net.depth - 1], a: sample.a[net.depth - 1], y: problem.Y.row(i),
                output: net.activations[net.depth - 1])
        }
        return (z, a, losses)
    }

    /// Cost = (1/m) Σ_i L(a^(i,L), y^(i)) and its gradient by backpropagation; `hooks` replace
    /// steps with a catalogued mistake's.
    public static func backprop(_ problem: Problem, hooks: BackwardHooks = BackwardHooks()) -> Gradients {
        let net = problem.network
        let (L, m) = (net.depth, problem.batchSize)
        let (z, a, losses) = forward(problem)
        var delta = z.map { Matrix(rows: m, columns: $0.columns) }
        var dW = net.W.map { Matrix(rows: $0.rows, columns: $0.columns) }
        var db = net.b.map { [Double](repeating: 0, count: $0.count) }
        let scaleW = hooks.dWScale?(m) ?? 1 / Double(m)
        let scaleB = hooks.dbScale?(m) ?? 1 / Double(m)
        for i in 0..<m {
            // values[l] = a^(i,l), with a^(i,0) = x^(i).
            let values = [problem.X.row(i)] + a.map { $0.row(i) }
            // Eq. (108)/(3): δ^(i,L) = f'(z^(i,L)) ⊙ L'(a^(i,L), y^(i)), by a Jacobian for softmax.
            var g = outputDelta(problem, z: z[L - 1].row(i), a: values[L], y: problem.Y.row(i), hooks: hooks)
            if let factor = hooks.outputDeltaScale?(m) { g = g.map { $0 * factor } }
            for l in stride(from: L, through: 1, by: -1) {
                delta[l - 1].setRow(i, g)
                // Eq. (100), (111), (4.3): ∂Cost/∂W^(l) = (1/m) Σ_i a^(i,l−1) (g^(i,l))ᵀ; ∂Cost/∂b^(l) = (1/m) Σ_i g^(i,l).
                let input = hooks.dWInput?(l, values) ?? values[l - 1]
                for j in input.indices {
                    for k in g.indices { dW[l - 1][j, k] += scaleW * input[j] * g[k] }
                }
                for k in g.indices { db[l - 1][k] += scaleB * g[k] }
                guard l > 1 else { break }
                // Eq. (110)/(4.2)/(5), corrected: g^(i,l−1) = f'(z^(i,l−1)) ⊙ (W^(l) g^(i,l)).
                let W = hooks.propagationWeight?(net, l) ?? net.W[l - 1]
                g = layerBackward(
                    net.activations[l - 2], z: z[l - 2].row(i), a: values[l - 1], u: W.times(g),
                    position: .hidden, hooks: hooks)
            }
        }
        if hooks.transposeSquareDW {
            for l in dW.indices where dW[l].rows == dW[l].columns { dW[l] = dW[l].transposed }
        }
        let cost = losses.reduce(0, +) * (1 / Double(m))
        return Gradients(cost: cost, dW: dW, db: db, delta: delta, z: z, a: a)
    }

    /// δ^(i,L): simplified where the loss's required output allows it (`Loss.outputDelta`), unless
    /// a hook unfuses it into ∇_a L and the output Jacobian.
    static func outputDelta(_ problem: Problem, z: [Double], a: [Double], y: [Double], hooks: BackwardHooks) -> [Double] {
        let output = problem.network.activations[problem.network.depth - 1]
        guard hooks.unfusedOutput.contains(output) else {
            return problem.loss.outputDelta(z: z, a: a, y: y, output: output)
        }
        let gradient = hooks.lossGradient ?? { loss, a, y in loss.gradient(a: a, y: y) }
        let upstream = a.indices.map { gradient(problem.loss, a[$0], y[$0]) }
        return layerBackward(output, z: z, a: a, u: upstream, position: .output, hooks: hooks)
    }

    /// Jᵀu through one layer (`Activation.backward`), unless a hook replaces it.
    static func layerBackward(
        _ f: Activation, z: [Double], a: [Double], u: [Double], position: LayerPosition,
        hooks: BackwardHooks
    ) -> [Double] {
        hooks.layerBackward?(f, z, a, u, position) ?? f.backward(z: z, a: a, upstream: u)
    }
}

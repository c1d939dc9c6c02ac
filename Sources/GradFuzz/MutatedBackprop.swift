/// Where in the network a layer's backward step happens.
public enum LayerPosition: Sendable {
    /// Layer L: δ^(i,L) = J_{f_L}(z)ᵀ ∇_a L.
    case output
    /// Layer l < L: g^(i,l) = J_{f_l}(z)ᵀ (W^(l+1) g^(i,l+1)).
    case hidden
}

/// The steps of the reference's backward pass that a mistake can replace. Every hook left nil is
/// done as the reference does it, so a mistake states only what it gets wrong.
///
/// The steps, for sample i (seed's notation, contract of issue 2):
/// 1. ∇_a L(a^(i,L), y^(i)), unit by unit — `lossGradient`;
/// 2. δ^(i,L) = J_{f_L}(z^(i,L))ᵀ ∇_a L — `layerBackward` at `.output`, then × `outputDeltaScale`;
/// 3. for l = L…1: dW^(l) += scale_W · a^(i,l−1) (g^(i,l))ᵀ — `dWInput`, `dWScale`; db^(l) += scale_b · g^(i,l) — `dbScale`;
/// 4. g^(i,l−1) = J_{f_{l−1}}(z^(i,l−1))ᵀ (W^(l) g^(i,l)) — `propagationWeight`, `layerBackward` at `.hidden`;
/// 5. at the end, dW^(l) of square layers transposed — `transposeSquareDW`.
public struct BackwardHooks: Sendable {
    /// ∂L/∂a_k for one output unit, in place of `Loss.gradient(a:y:)`.
    public var lossGradient: (@Sendable (_ loss: Loss, _ a: Double, _ y: Double) -> Double)?
    /// Jᵀu through one layer, given its z, its a = f(z) and the incoming u, in place of `Activation.backward`.
    public var layerBackward: (@Sendable (_ f: Activation, _ z: [Double], _ a: [Double], _ u: [Double], _ position: LayerPosition) -> [Double])?
    /// The output activations after which δ^(i,L) is built from ∇_a L and the output Jacobian even
    /// where the reference uses the simplified forms (a − y for sigmoid with binary_cross_entropy,
    /// s·Σy − y for softmax with cross_entropy). A mistake in either of those two steps lists the
    /// activations it touches: a student who makes it computes the general form. Elsewhere the
    /// simplified form keeps saturated outputs free of 0/0.
    public var unfusedOutput: Set<Activation> = []
    /// The factor δ^(i,L) is multiplied by once computed, given the batch size m (e.g. −1, or 1/m).
    public var outputDeltaScale: (@Sendable (_ m: Int) -> Double)?
    /// The matrix that multiplies g^(i,l) when propagating to layer l − 1, given the network and l
    /// (the seed's l, 1-based), in place of W^(l).
    public var propagationWeight: (@Sendable (_ network: Network, _ l: Int) -> Matrix)?
    /// The vector that multiplies (g^(i,l))ᵀ in dW^(l), given l and the sample's forward values
    /// `values[k]` = a^(i,k) (`values[0]` = x^(i)), in place of a^(i,l−1).
    public var dWInput: (@Sendable (_ l: Int, _ values: [[Double]]) -> [Double])?
    /// The factor of each sample's term in dW, given the batch size m, in place of 1/m.
    public var dWScale: (@Sendable (_ m: Int) -> Double)?
    /// The factor of each sample's term in db, given m, in place of 1/m.
    public var dbScale: (@Sendable (_ m: Int) -> Double)?
    /// Whether dW^(l) is returned transposed where it is square (where shapes let the mistake go unnoticed).
    public var transposeSquareDW = false

    public init() {}
}

/// The reference backpropagation (Reference.swift) with every step open to a `BackwardHooks`
/// replacement. With no hooks set it computes what `Reference.backprop` does; it is written with
/// plain arrays, for clarity rather than speed, and its forward pass is the reference's.
public enum MutatedBackprop {
    public static func backprop(_ problem: Problem, hooks: BackwardHooks) -> Gradients {
        let net = problem.network
        let (L, m) = (net.depth, problem.batchSize)
        let (z, a, losses) = Reference.forward(problem)
        var delta = z.map { Matrix(rows: m, columns: $0.columns) }
        var dW = net.W.map { Matrix(rows: $0.rows, columns: $0.columns) }
        var db = net.b.map { [Double](repeating: 0, count: $0.count) }
        let scaleW = hooks.dWScale?(m) ?? 1 / Double(m)
        let scaleB = hooks.dbScale?(m) ?? 1 / Double(m)
        let scaleDelta = hooks.outputDeltaScale?(m) ?? 1
        for i in 0..<m {
            let values = [problem.X.row(i)] + (0..<L).map { a[$0].row(i) }
            var g = outputDelta(problem, z: z[L - 1].row(i), a: values[L], y: problem.Y.row(i), hooks: hooks)
                .map { $0 * scaleDelta }
            for l in stride(from: L, through: 1, by: -1) {
                for k in g.indices { delta[l - 1][i, k] = g[k] }
                let input = hooks.dWInput?(l, values) ?? values[l - 1]
                for j in input.indices {
                    for k in g.indices { dW[l - 1][j, k] += scaleW * input[j] * g[k] }
                }
                for k in g.indices { db[l - 1][k] += scaleB * g[k] }
                guard l > 1 else { break }
                let W = hooks.propagationWeight?(net, l) ?? net.W[l - 1]
                var upstream = [Double](repeating: 0, count: W.rows)
                for j in 0..<W.rows {
                    for k in 0..<W.columns { upstream[j] += W[j, k] * g[k] }
                }
                g = layerBackward(net.activations[l - 2], z: z[l - 2].row(i), a: values[l - 1], u: upstream,
                                  position: .hidden, hooks: hooks)
            }
        }
        if hooks.transposeSquareDW {
            for l in dW.indices where dW[l].rows == dW[l].columns { dW[l] = dW[l].transposed }
        }
        let cost = losses.reduce(0, +) * (1 / Double(m))
        return Gradients(cost: cost, dW: dW, db: db, delta: delta, z: z, a: a)
    }

    /// δ^(i,L): the reference's own (simplified where it simplifies) unless the mistake lies in
    /// the loss gradient or the output Jacobian.
    static func outputDelta(_ problem: Problem, z: [Double], a: [Double], y: [Double], hooks: BackwardHooks) -> [Double] {
        let output = problem.network.activations[problem.network.depth - 1]
        var delta = [Double](repeating: 0, count: a.count)
        guard hooks.unfusedOutput.contains(output) else {
            z.withUnsafeBufferPointer { zp in a.withUnsafeBufferPointer { ap in y.withUnsafeBufferPointer { yp in
                delta.withUnsafeMutableBufferPointer { problem.loss.outputDelta(z: zp, a: ap, y: yp, output: output, into: $0) }
            } } }
            return delta
        }
        let gradient = hooks.lossGradient ?? { loss, a, y in loss.gradient(a: a, y: y) }
        let upstream = a.indices.map { gradient(problem.loss, a[$0], y[$0]) }
        return layerBackward(output, z: z, a: a, u: upstream, position: .output, hooks: hooks)
    }

    static func layerBackward(_ f: Activation, z: [Double], a: [Double], u: [Double], position: LayerPosition,
                              hooks: BackwardHooks) -> [Double] {
        if let hook = hooks.layerBackward { return hook(f, z, a, u, position) }
        return correctBackward(f, z: z, a: a, u: u)
    }

    /// Jᵀu as the reference computes it (`Activation.backward`).
    public static func correctBackward(_ f: Activation, z: [Double], a: [Double], u: [Double]) -> [Double] {
        var g = [Double](repeating: 0, count: z.count)
        z.withUnsafeBufferPointer { zp in a.withUnsafeBufferPointer { ap in u.withUnsafeBufferPointer { up in
            g.withUnsafeMutableBufferPointer { f.backward(z: zp, a: ap, upstream: up, into: $0) }
        } } }
        return g
    }
}

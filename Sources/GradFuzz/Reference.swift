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
}

/// The reference backpropagation, in Float64, in the seed's notation.
///
/// The seed (neural-network-by-hand.md) prints three equations wrongly; this implements the right forms:
/// - eq. (1) writes w_kj, but W^(l) is m_{l−1} × m_l with entries w_jk: z_k = Σ_j w_jk a_j + b_k.
/// - eq. (110) and (4) write f(z^(i,L−1)) where f'(z^(i,L−1)) belongs.
/// - eq. (4.2) writes ⊗ (outer product) where ⊙ (element-wise product) belongs.
/// Eq. (3) and (108) hold for element-wise f only: for softmax δ = Jᵀ ∇_a L with J = diag(s) − s sᵀ.
public enum Reference {
    /// The forward pass: eq. (*)/(1) z^(i,l) = (W^(l))ᵀ a^(i,l−1) + b^(l), and eq. (**)/(2) a^(i,l) = f(z^(i,l)).
    /// Returns z and a per layer (m rows each) and the loss L_i of each sample.
    public static func forward(_ problem: Problem) -> (z: [Matrix], a: [Matrix], losses: [Double]) {
        let net = problem.network
        let m = problem.batchSize
        var z = (1...net.depth).map { Matrix(rows: m, columns: net.layers[$0]) }
        var a = z
        var losses = [Double](repeating: 0, count: m)
        let weights = net.W.map(\.storage)
        for i in 0..<m {
            let sample = forward(net, weights: weights, biases: net.b, x: problem.X.row(i), y: problem.Y.row(i), loss: problem.loss)
            for l in 0..<net.depth {
                for k in 0..<net.layers[l + 1] { z[l][i, k] = sample.z[l][k]; a[l][i, k] = sample.a[l][k] }
            }
            losses[i] = sample.loss
        }
        return (z, a, losses)
    }

    /// One sample's forward pass over any scalar type, with the weights (each W^(l) row by row) and
    /// biases given in that type: `Double` here, `Complex<Double>` for a complex-step oracle.
    public static func forward<T: NetworkScalar>(_ net: Network, weights: [[T]], biases: [[T]], x: [Double], y: [Double],
                                                 loss: Loss) -> (z: [[T]], a: [[T]], loss: T) {
        var input = x.map { T($0) }
        var zs: [[T]] = [], as_: [[T]] = []
        for l in 0..<net.depth {
            let (rows, columns) = (net.layers[l], net.layers[l + 1])
            var zl = biases[l]
            for k in 0..<columns {
                for j in 0..<rows { zl[k] += weights[l][j * columns + k] * input[j] }
            }
            var al = zl
            zl.withUnsafeBufferPointer { zp in al.withUnsafeMutableBufferPointer { net.activations[l].apply(zp, into: $0) } }
            zs.append(zl)
            as_.append(al)
            input = al
        }
        let value = zs[net.depth - 1].withUnsafeBufferPointer { zp in as_[net.depth - 1].withUnsafeBufferPointer { ap in
            y.withUnsafeBufferPointer { loss.value(z: zp, a: ap, y: $0, output: net.activations[net.depth - 1]) } } }
        return (zs, as_, value)
    }

    /// Cost = (1/m) Σ_i L(a^(i,L), y^(i)) and its gradient by backpropagation.
    public static func backprop(_ problem: Problem) -> Gradients {
        let net = problem.network
        let (L, m) = (net.depth, problem.batchSize)
        let (z, a, losses) = forward(problem)
        var delta = z.map { Matrix(rows: m, columns: $0.columns) }
        var dW = net.W.map { Matrix(rows: $0.rows, columns: $0.columns) }
        var db = net.b.map { [Double](repeating: 0, count: $0.count) }
        let scale = 1 / Double(m)
        for i in 0..<m {
            // Eq. (108)/(3): δ^(i,L) = f'(z^(i,L)) ⊙ L'(a^(i,L), y^(i)), by a Jacobian for softmax.
            var g = [Double](repeating: 0, count: net.layers[L])
            withRows(z[L - 1].row(i), a[L - 1].row(i)) { zp, ap in
                problem.Y.row(i).withUnsafeBufferPointer { yp in
                    g.withUnsafeMutableBufferPointer { problem.loss.outputDelta(z: zp, a: ap, y: yp, output: net.activations[L - 1], into: $0) }
                }
            }
            for l in stride(from: L, through: 1, by: -1) {
                for k in 0..<g.count { delta[l - 1][i, k] = g[k] }
                // Eq. (100), (111), (4.3): ∂Cost/∂W^(l) = (1/m) Σ_i a^(i,l−1) (g^(i,l))ᵀ; and ∂Cost/∂b^(l) = (1/m) Σ_i g^(i,l).
                let input = l == 1 ? problem.X.row(i) : a[l - 2].row(i)
                for j in 0..<input.count {
                    for k in 0..<g.count { dW[l - 1][j, k] += scale * input[j] * g[k] }
                }
                for k in 0..<g.count { db[l - 1][k] += scale * g[k] }
                guard l > 1 else { break }
                // Eq. (110)/(4.2)/(5), corrected: g^(i,l−1) = f'(z^(i,l−1)) ⊙ (W^(l) g^(i,l)).
                let W = net.W[l - 1]
                var upstream = [Double](repeating: 0, count: W.rows)
                for j in 0..<W.rows {
                    for k in 0..<W.columns { upstream[j] += W[j, k] * g[k] }
                }
                var previous = [Double](repeating: 0, count: W.rows)
                withRows(z[l - 2].row(i), a[l - 2].row(i)) { zp, ap in
                    upstream.withUnsafeBufferPointer { up in
                        previous.withUnsafeMutableBufferPointer { net.activations[l - 2].backward(z: zp, a: ap, upstream: up, into: $0) }
                    }
                }
                g = previous
            }
        }
        let cost = losses.reduce(0, +) * scale
        return Gradients(cost: cost, dW: dW, db: db, delta: delta, z: z, a: a)
    }

    private static func withRows(_ z: [Double], _ a: [Double],
                                 _ body: (UnsafeBufferPointer<Double>, UnsafeBufferPointer<Double>) -> Void) {
        z.withUnsafeBufferPointer { zp in a.withUnsafeBufferPointer { ap in body(zp, ap) } }
    }
}

import GradFuzzCore
import RealModule

/// How much an honest backward pass may round, entry by entry: the analytic side's allowance.
///
/// A backward pass in floating point rounds each sum by a few ε of the sum of the sizes of its
/// terms, not of its result. Where a gradient entry is a small difference of large terms — a softmax
/// unit near 1, where g_k = s_k (u_k − s·u) subtracts two values of size |u| to leave one of size
/// (1 − s_k)|u|; a saturated sigmoid, whose f' = a(1 − a) subtracts a ≈ 1 from 1 — even a correct
/// implementation is off by ε·|terms|, far more than ε·|result|. A tolerance relative to the result
/// cannot hold it, and an absolute floor holds it only while the terms are small.
///
/// So the oracle also runs the backward pass on the sizes of the terms (the |x|-evaluation of
/// floating-point error analysis): for every quantity q the backward pass computes, a size S(q) ≥
/// the sum of the absolute values of the terms it adds, with the inputs' own sizes carried:
///
/// - output layer, per sample: cross_entropy after softmax, g_k = s_k Σy − y_k: S = s_k Σ|y| + |y_k|;
///   binary_cross_entropy after sigmoid, g_k = a_k − y_k: S = |a_k| + |y_k|; otherwise
///   u_k = ∂L/∂a_k (one rounding of its own size: S(u_k) = |u_k|), then through f as below;
/// - element-wise f: g_j = f'(z_j)·u_j: S(g_j) = T_f(z_j)·S(u_j), T_f the size of the terms of the
///   textbook f' formula (`derivativeTermSize`: 1 + a² for 1 − a², a(1 + a) for a(1 − a), …);
/// - softmax: g_k = s_k (u_k − Σ_j s_j u_j): S(g_k) = s_k (S(u_k) + Σ_j s_j S(u_j));
/// - a layer down: u_j = Σ_k w_jk g_k: S(u_j) = Σ_k |w_jk| S(g_k);
/// - ∂C/∂b_k = (1/m) Σ_i g_k^(i): S = (1/m) Σ_i S(g_k^(i)); ∂C/∂w_jk: (1/m) Σ_i |a_j^(i)| S(g_k^(i)).
///
/// Each computed quantity is then within γ_n·S of its exact value (for the same forward values),
/// γ_n ≈ n·ε, n the number of roundings along the longest chain of operations that produced it:
/// per layer one per term of a sum and a few for f' and the products, per entry two per sample for
/// the batch sum. The allowance is n·ε·S with the generous count
///
///     n = Σ_l (m_l + 8) + 2m + 16
///
/// (≤ 224 for the fuzzer's largest networks). Where nothing cancels S ≈ |entry| and the allowance
/// is ~1e-14 of the entry, far below any tolerance; where terms cancel it is what the analytic side
/// needs. Both sides start from the same forward pass (`Reference.forward`), so its rounding is no
/// part of either's error.
extension PerturbedCost {
    /// The analytic side's allowance for every entry of dW, db and (when `delta` is set) each
    /// sample's g, shaped as the oracle's estimates.
    func analyticRounding(delta: Bool) -> (dW: [Matrix], db: [Matrix], delta: [Matrix]) {
        var chain = 2 * m + 16
        for l in 1...depth { chain += widths[l] + 8 }
        let factor = Double(chain) * Double.ulpOfOne
        let perSample = factor / Double(m)
        var dW = (0..<depth).map { Matrix(rows: widths[$0], columns: widths[$0 + 1]) }
        var db = (0..<depth).map { Matrix(rows: 1, columns: widths[$0 + 1]) }
        var deltas = (0..<depth).map { Matrix(rows: delta ? m : 0, columns: widths[$0 + 1]) }
        let output = activations[depth - 1]
        let widest = widths.max() ?? 1
        // S(g) of the current layer and S(u) of the layer below.
        let g = UnsafeMutablePointer<Double>.allocate(capacity: widest), u = UnsafeMutablePointer<Double>.allocate(capacity: widest)
        defer { g.deallocate(); u.deallocate() }
        let n = widths[depth]
        for i in 0..<m {
            let y = targets + i * n
            if loss == .crossEntropy && output == .softmax {
                var ySum = 0.0
                for k in 0..<n { ySum += abs(y[k]) }
                for k in 0..<n { g[k] = abs(activation(layer: depth - 1, sample: i, unit: k)) * ySum + abs(y[k]) }
            } else if loss == .binaryCrossEntropy && output == .sigmoid {
                for k in 0..<n { g[k] = abs(activation(layer: depth - 1, sample: i, unit: k)) + abs(y[k]) }
            } else {
                for k in 0..<n { u[k] = abs(loss.gradient(a: activation(layer: depth - 1, sample: i, unit: k), y: y[k])) }
                termSizes(through: depth - 1, sample: i, upstream: u, into: g)
            }
            var p = depth - 1
            while true {
                let (rows, columns) = (widths[p], widths[p + 1])
                if delta { for k in 0..<columns { deltas[p][i, k] = factor * g[k] } }
                for k in 0..<columns { db[p][0, k] += perSample * g[k] }
                dW[p].storage.withUnsafeMutableBufferPointer { w in
                    for j in 0..<rows {
                        let input = perSample * abs(self.input(layer: p, sample: i, unit: j))
                        for k in 0..<columns { w[j * columns + k] += input * g[k] }
                    }
                }
                guard p > 0 else { break }
                let weights = self.weights + weightOffset[p]
                for j in 0..<rows {
                    var sum = 0.0
                    for k in 0..<columns { sum += abs(weights[j * columns + k]) * g[k] }
                    u[j] = sum
                }
                termSizes(through: p - 1, sample: i, upstream: u, into: g)
                p -= 1
            }
        }
        return (dW, db, deltas)
    }

    /// The sizes of g = Jᵀu through layer p's activation, from the sizes of u.
    private func termSizes(through p: Int, sample i: Int, upstream u: UnsafePointer<Double>, into g: UnsafeMutablePointer<Double>) {
        let f = activations[p]
        let width = widths[p + 1]
        if f == .softmax {
            var weighted = 0.0
            for k in 0..<width { weighted += activation(layer: p, sample: i, unit: k) * u[k] }
            for k in 0..<width { g[k] = activation(layer: p, sample: i, unit: k) * (u[k] + weighted) }
            return
        }
        for k in 0..<width {
            g[k] = f.derivativeTermSize(z: preActivation(layer: p, sample: i, unit: k), a: activation(layer: p, sample: i, unit: k)) * u[k]
        }
    }
}

import GradFuzzCore

extension Oracle {
    /// `.units`: column k of g^(p+1), each entry g_k^(i) = ∂L_i/∂z_k^(i) by GSL on sample i's loss
    /// alone, and from it column k of dW^(p+1) and entry k of db^(p+1).
    ///
    /// z_k^(i) = Σ_j w_jk a_j^(i) + b_k is linear in w_jk and b_k, and C = (1/m) Σ_i L_i, so
    ///
    ///     ∂C/∂w_jk = (1/m) Σ_i a_j^(i) g_k^(i),    ∂C/∂b_k = (1/m) Σ_i g_k^(i)
    ///
    /// hold exactly, with a^(i) the oracle's own forward pass (`Reference.forward`, as the moves of
    /// `.entries` use it). Each sum carries GSL's error estimates e_i (`UnitSum`).
    func differentiateThrough(unit k: Int, layer p: Int, delta: Bool, probe: Probe, into result: inout OracleResult) {
        let cost = probe.cost
        let rows = cost.widths[p]
        var bias = UnitSum()
        var weights = [UnitSum](repeating: UnitSum(), count: rows)
        for i in 0..<cost.m {
            probe.target = .preActivation(layer: p, sample: i, unit: k)
            let g = probe.derivative(step: step)
            if delta { result.delta[p].record(g, row: i, column: k) }
            bias.add(1, g)
            for j in 0..<rows { weights[j].add(cost.input(layer: p, sample: i, unit: j), g) }
        }
        result.db[p].record(bias.mean(over: cost.m), row: 0, column: k)
        for j in 0..<rows { result.dW[p].record(weights[j].mean(over: cost.m), row: j, column: k) }
    }
}

/// (1/m) Σ_i x_i g_i for exact factors x_i and derivatives g_i known to within e_i, with a bound on
/// the error of the computed mean:
///
///     (1/m) (Σ_i |x_i| e_i  +  (m + 2) (ε Σ_i |x_i| (|g_i| + e_i) + η))
///
/// the first term GSL's estimates carried through the sum, the second the rounding of m products,
/// their sum and the division (a dot product of m terms is within γ_m Σ |terms| of its value;
/// η = 2⁻¹⁰⁷⁴ for each rounding that underflows).
/// A term with x_i = 0 is exactly 0 whatever g_i is, and is left out; any other term whose
/// derivative crossed a kink makes the sum one that crossed a kink.
struct UnitSum {
    private var sum = 0.0
    private var carried = 0.0
    private var size = 0.0
    private var kink = false

    @inline(__always)
    mutating func add(_ x: Double, _ g: Derivative) {
        guard x != 0 else { return }
        sum += x * g.value
        carried += abs(x) * g.error
        size += abs(x) * (abs(g.value) + g.error)
        kink = kink || g.kink
    }

    func mean(over m: Int) -> Derivative {
        let n = Double(m)
        return (sum / n, (carried + Double(m + 2) * (.ulpOfOne * size + .leastNonzeroMagnitude)) / n, kink)
    }
}

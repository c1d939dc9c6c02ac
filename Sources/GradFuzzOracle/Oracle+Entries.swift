import GradFuzzCore

extension Oracle {
    /// `.entries`: column k of dW^(p+1) and entry k of db^(p+1), each weight and bias differentiated
    /// on its own on the cost of the whole batch, and, when `delta` is set, column k of g^(p+1).
    ///
    /// A weight w_jk moves z_k^(i) by Δ·a_j^(i) in every sample; it is stepped by
    /// `step / max_i |a_j^(i)|`, so that no z moves by more than `step`.
    func differentiateEntries(unit k: Int, layer p: Int, delta: Bool, probe: Probe, into result: inout OracleResult) {
        let cost = probe.cost
        for j in 0..<cost.widths[p] {
            var largest = 0.0
            for i in 0..<cost.m {
                cost.factors[i] = cost.input(layer: p, sample: i, unit: j)
                largest = max(largest, abs(cost.factors[i]))
            }
            probe.target = .weight(layer: p, row: j, column: k)
            // Inputs below 2⁻⁹⁶⁰ (a dead softmax or softplus unit) would step the weight by an overflowing amount.
            result.dW[p].record(probe.derivative(step: largest > 0 ? step / max(largest, 0x1p-960) : step), row: j, column: k)
        }
        for i in 0..<cost.m { cost.factors[i] = 1 }
        probe.target = .bias(layer: p, unit: k)
        result.db[p].record(probe.derivative(step: step), row: 0, column: k)
        guard delta else { return }
        for i in 0..<cost.m {
            probe.target = .preActivation(layer: p, sample: i, unit: k)
            result.delta[p].record(probe.derivative(step: step), row: i, column: k)
        }
    }
}

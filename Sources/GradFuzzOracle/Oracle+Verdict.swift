import GradFuzzCore

extension Verdict {
    /// The analytic answer against the GSL oracle, kinks excluded; each entry allowed the oracle's
    /// error estimate and the analytic side's rounding allowance.
    public init(answer: Answer, oracle: OracleResult, tolerance: Tolerance = .oracle) {
        var matrices: [MatrixVerdict] = []
        func verdict(_ p: Int, _ quantity: Quantity, _ estimates: Estimates, _ got: Matrix) -> MatrixVerdict {
            MatrixVerdict(
                layer: p + 1, quantity: quantity, expected: estimates.value, got: got, error: estimates.error,
                rounding: estimates.analyticRounding, kink: estimates.kink, tolerance: tolerance)
        }
        for p in answer.dW.indices {
            matrices.append(verdict(p, .dW, oracle.dW[p], answer.dW[p]))
            matrices.append(verdict(p, .db, oracle.db[p], Matrix(row: answer.db[p])))
            if let delta = answer.delta, oracle.delta[p].value.rows == delta[p].rows {
                matrices.append(verdict(p, .delta, oracle.delta[p], delta[p]))
            }
        }
        self.init(matrices: matrices)
    }
}

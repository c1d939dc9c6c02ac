import GradFuzzCore

extension Verdict {
    /// The analytic answer against the GSL oracle, kinks excluded.
    public init(answer: Answer, oracle: OracleResult, tolerance: Tolerance = .oracle) {
        var matrices: [MatrixVerdict] = []
        for p in answer.dW.indices {
            matrices.append(MatrixVerdict(layer: p + 1, quantity: .dW, expected: oracle.dW[p].value, got: answer.dW[p],
                                          error: oracle.dW[p].error, kink: oracle.dW[p].kink, tolerance: tolerance))
            matrices.append(MatrixVerdict(layer: p + 1, quantity: .db, expected: oracle.db[p].value, got: Matrix(row: answer.db[p]),
                                          error: oracle.db[p].error, kink: oracle.db[p].kink, tolerance: tolerance))
            if let delta = answer.delta, oracle.delta[p].value.rows == delta[p].rows {
                matrices.append(MatrixVerdict(layer: p + 1, quantity: .delta, expected: oracle.delta[p].value, got: delta[p],
                                              error: oracle.delta[p].error, kink: oracle.delta[p].kink, tolerance: tolerance))
            }
        }
        self.init(matrices: matrices)
    }
}

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

extension OracleResult {
    /// The oracle's values with a program's own rounding (`Tolerance.programRounding(for:)`) added
    /// to each entry's analytic allowance; unchanged when there is none.
    public func allowing(_ rounding: EntryBounds?) -> OracleResult {
        guard let rounding else { return self }
        func widened(_ e: Estimates, _ bound: Matrix) -> Estimates {
            guard e.analyticRounding.storage.count == bound.storage.count else { return e }
            var out = e
            for t in out.analyticRounding.storage.indices { out.analyticRounding.storage[t] += bound.storage[t] }
            return out
        }
        var out = self
        for l in dW.indices {
            out.dW[l] = widened(dW[l], rounding.dW[l])
            out.db[l] = widened(db[l], rounding.db[l])
            out.delta[l] = widened(delta[l], rounding.delta[l])
        }
        return out
    }
}

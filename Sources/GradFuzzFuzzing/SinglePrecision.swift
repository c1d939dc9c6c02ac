import GradFuzzCore
import GradFuzzOracle

extension OracleResult {
    /// The oracle's values with room for a program that computes in single precision: to each
    /// entry's error estimate is added how much the reference's value moves when every number of
    /// the problem (W, b, X, Y) is rounded to Float.
    ///
    /// A float32 program cannot see the problem more precisely than that rounding, and its own
    /// roundings on the way grow through the same sums: where a small gradient comes of large
    /// terms (a deep network with large weights, a residual of two large values), single precision
    /// loses digits that no fixed rtol allows for, and this says how many. On a well-conditioned
    /// entry the room is about 10⁻⁷ of the value, far inside float32's rtol, so mistakes still show.
    public func allowingSinglePrecision(for problem: Problem) -> OracleResult {
        var rounded = problem
        func single(_ values: [Double]) -> [Double] { values.map { Double(Float($0)) } }
        rounded.network.W = problem.network.W.map {
            var m = $0; m.storage = single(m.storage); return m
        }
        rounded.network.b = problem.network.b.map(single)
        rounded.X.storage = single(problem.X.storage)
        rounded.Y.storage = single(problem.Y.storage)
        let exact = Reference.backprop(problem), seen = Reference.backprop(rounded)
        func widened(_ e: Estimates, _ x: Matrix, _ y: Matrix) -> Estimates {
            guard e.error.storage.count == x.storage.count else { return e }
            var out = e
            for t in out.error.storage.indices {
                let moved = abs(x.storage[t] - y.storage[t])
                out.error.storage[t] += moved.isFinite ? moved : .infinity
            }
            return out
        }
        var out = self
        for l in dW.indices {
            out.dW[l] = widened(dW[l], exact.dW[l], seen.dW[l])
            out.db[l] = widened(db[l], Matrix(row: exact.db[l]), Matrix(row: seen.db[l]))
            if l < delta.count { out.delta[l] = widened(delta[l], exact.delta[l], seen.delta[l]) }
        }
        return out
    }
}

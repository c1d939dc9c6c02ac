import GradFuzzCore
import GradFuzzFixtures
import GradFuzzMutants
import GradFuzzOracle

extension Problem {
    /// Whether this is a case the fuzzer may check: a valid problem (shapes, loss and output
    /// activation compatible, targets in the loss's domain), with a finite reference forward and
    /// backward pass below `CaseGenerator.magnitudeLimit`, and no quantity within `kinkMargin` of a
    /// kink or curvature kink (see `Distribution.kinkMargin`).
    public func isFuzzable(kinkMargin: Double) -> Bool {
        do { _ = try Problem(validating: RawProblem(self)) } catch { return false }
        let g = Reference.backprop(self)
        let limit = CaseGenerator.magnitudeLimit
        func bounded(_ values: [Double]) -> Bool { values.allSatisfy { $0.isFinite && abs($0) <= limit } }
        guard g.cost.isFinite, abs(g.cost) <= limit,
            g.z.allSatisfy({ bounded($0.storage) }), g.a.allSatisfy({ bounded($0.storage) }),
            g.dW.allSatisfy({ bounded($0.storage) }), g.db.allSatisfy(bounded), g.delta.allSatisfy({ bounded($0.storage) })
        else { return false }
        return kinkClearance(z: g.z, a: g.a) >= kinkMargin
    }
}

import Foundation
import GradFuzzCore
import GradFuzzOracle

#if canImport(Glibc)
    import Glibc
#endif

/// Both oracle methods on the fuzzer's cases: whether `.units` and `.entries` agree within their
/// error estimates (`OracleAgreement`) on every entry of dW and db, and the processor time each took.
public struct OracleAgreementRun: Sendable {
    /// Cases compared.
    public var cases = 0
    /// The comparison of `.units` (first) against `.entries` (second), over every case.
    public var agreement = OracleAgreement()
    /// Cases with at least one entry outside e₁ + e₂, by iteration (the first few).
    public var disagreeingCases: [Int] = []
    /// Processor seconds of each method over all cases, summed over the threads.
    public var unitsSeconds = 0.0
    public var entriesSeconds = 0.0

    public init() {}

    /// Cases 0..<`iterations` of `CaseGenerator(seed:distribution:)`, `jobs` at a time, each
    /// differentiated (dW and db) by both methods.
    public static func run(seed: UInt64, iterations: Int, distribution: Distribution = Distribution(), jobs: Int = 1) -> OracleAgreementRun {
        let generator = CaseGenerator(seed: seed, distribution: distribution)
        let workers = max(1, min(jobs, iterations))
        let parts = UnsafeMutableBufferPointer<OracleAgreementRun>.allocate(capacity: workers)
        defer { parts.deallocate() }
        let shared = Parts(parts)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var part = OracleAgreementRun()
            for iteration in stride(from: worker, to: iterations, by: workers) {
                let problem = generator.problem(iteration: iteration)
                var start = threadSeconds()
                let units = Oracle(method: .units).differentiate(problem, delta: false)
                part.unitsSeconds += threadSeconds() - start
                start = threadSeconds()
                let entries = Oracle(method: .entries).differentiate(problem, delta: false)
                part.entriesSeconds += threadSeconds() - start
                let agreement = OracleAgreement(units, entries)
                if !agreement.agrees { part.disagreeingCases.append(iteration) }
                part.agreement.add(agreement)
                part.cases += 1
            }
            (shared.parts.baseAddress! + worker).initialize(to: part)
        }
        var total = OracleAgreementRun()
        for part in parts {
            total.cases += part.cases
            total.agreement.add(part.agreement)
            total.disagreeingCases += part.disagreeingCases
            total.unitsSeconds += part.unitsSeconds
            total.entriesSeconds += part.entriesSeconds
        }
        total.disagreeingCases.sort()
        _ = parts.deinitialize()
        return total
    }

    /// Processor time of the calling thread.
    private static func threadSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

/// The workers' results, written each by its own worker.
private struct Parts: @unchecked Sendable {
    let parts: UnsafeMutableBufferPointer<OracleAgreementRun>
    init(_ parts: UnsafeMutableBufferPointer<OracleAgreementRun>) { self.parts = parts }
}

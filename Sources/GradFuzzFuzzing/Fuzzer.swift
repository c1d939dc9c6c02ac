import Foundation
import GradFuzzCore
import GradFuzzMutants
import GradFuzzFixtures
import GradFuzzOracle

/// Runs the fuzzer: case i is drawn from (seed, i), answered by the implementation under test and
/// compared entry by entry (dW, db and, when the answer has it, every sample's g) with the GSL
/// oracle. Failing cases are shrunk and written as fixtures.
///
/// Cases run in parallel, at most `jobs` at a time, in a task group; results are folded into the
/// summary by one task, in whatever order they finish: every total is a sum, so the summary is the
/// same for any number of jobs.
public struct Fuzzer: Sendable {
    public var configuration: FuzzConfiguration

    public init(_ configuration: FuzzConfiguration) {
        self.configuration = configuration
    }

    public var generator: CaseGenerator { CaseGenerator(seed: configuration.seed, distribution: configuration.distribution) }

    /// The iterations this machine runs.
    public var iterations: StrideTo<Int> { configuration.shard.iterations(of: configuration.iterations) }

    /// Runs every iteration of this shard (until `stop` is raised), calling `progress` after each case.
    public func run(stop: StopSignal = StopSignal(), progress: (FuzzSummary) -> Void = { _ in }) async -> FuzzSummary {
        var summary = FuzzSummary(configuration: configuration, planned: configuration.shard.count(of: configuration.iterations))
        let started = ContinuousClock.now
        await withTaskGroup(of: CaseOutcome.self) { group in
            var pending = iterations.makeIterator()
            for _ in 0..<max(1, configuration.jobs) where !stop.raised {
                guard let i = pending.next() else { break }
                group.addTask { await self.run(iteration: i, stop: stop) }
            }
            while let outcome = await group.next() {
                summary.add(outcome)
                summary.elapsed = (ContinuousClock.now - started).seconds
                progress(summary)
                if stop.raised { continue }
                if let i = pending.next() { group.addTask { await self.run(iteration: i, stop: stop) } }
            }
        }
        summary.interrupted = stop.raised && summary.iterationsRun < summary.iterationsPlanned
        summary.elapsed = (ContinuousClock.now - started).seconds
        summary.finish()
        return summary
    }

    /// Case `iteration`: drawn, checked, and when it fails shrunk and written.
    public func run(iteration: Int, stop: StopSignal = StopSignal()) async -> CaseOutcome {
        let problem = generator.problem(iteration: iteration)
        let check = await self.check(problem)
        var outcome = CaseOutcome(iteration: iteration, problem: problem, check: check)
        guard check.failed, let directory = configuration.outDirectory else { return outcome }
        var minimal = problem
        if configuration.shrink && check.shrinkable {
            let shrinker = Shrinker(kinkMargin: configuration.distribution.kinkMargin, stop: stop) { await self.check($0).shrinkable }
            minimal = await shrinker.shrink(problem)
        }
        outcome.shrunkLayers = minimal.network.layers
        outcome.shrunkBatch = minimal.batchSize
        let store = FixtureStore(directory: directory)
        let origin = Fixture.Origin(kind: "fuzz", seed: configuration.seed, iteration: iteration,
                                    unshrunkLayers: problem.network.layers, unshrunkBatch: problem.batchSize,
                                    implementation: configuration.implementation.name, command: nil)
        let headline = await self.check(minimal).headline ?? ""
        do throws(FixtureStoreError) {
            outcome.fixture = .success(try store.write(minimal, origin: origin, replayCommand: configuration.replayCommand,
                                                       headline: headline))
        } catch {
            outcome.fixture = .failure(error)
        }
        return outcome
    }

    /// The implementation's answer for `problem` against the oracle, entry by entry.
    public func check(_ problem: Problem) async -> CaseCheck {
        let answer: Answer
        do { answer = try await configuration.implementation.backprop(problem) } catch {
            return CaseCheck(AnswerFailure(error))
        }
        if let mismatch = answer.shapeMismatch(for: problem) { return .malformed(mismatch.message) }
        let oracle = configuration.oracle.differentiate(problem, delta: answer.delta != nil)
        if let place = oracle.firstNonFinite { return .oracleUnusable("no finite derivative (or error estimate) for \(place)") }
        return .verdict(Verdict(answer: answer, oracle: oracle, tolerance: configuration.tolerance))
    }
}

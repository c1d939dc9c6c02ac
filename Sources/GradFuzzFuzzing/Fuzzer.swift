import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzJudging
import GradFuzzMutants
import GradFuzzOracle

/// Runs the fuzzer: case i is drawn from (seed, i), answered by the implementation under test and
/// compared entry by entry (dW, db and, when the answer has it, every sample's g) with the GSL
/// oracle. Failing cases are shrunk and written as fixtures.
///
/// Cases run in parallel, at most `jobs` at a time, in a task group; results are folded into the
/// summary by one task, in whatever order they finish: every total is a sum, so the summary is the
/// same for any number of jobs. At most a few fixtures of each kind of mistake are written, those
/// of the lowest iterations (`FixtureQuota`).
///
/// A program that misbehaves instead of answering (crashes, breaks the protocol) gives an error,
/// not a failure: nothing is known about its backprop, so no fixture is written. After
/// `consecutiveErrorLimit` errors in a row the run stops: the program fails on every request.
public struct Fuzzer: Sendable {
    public var configuration: FuzzConfiguration

    /// Errors in a row after which the run stops.
    public static let consecutiveErrorLimit = 5

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
        var quota = FixtureQuota(), errorsInARow = 0
        await withTaskGroup(of: CaseOutcome.self) { group in
            var pending = iterations.makeIterator()
            for _ in 0..<max(1, configuration.jobs) where !stop.raised {
                guard let i = pending.next() else { break }
                group.addTask { await self.run(iteration: i, stop: stop) }
            }
            while let outcome = await group.next() {
                // A program given up on: the rest of the run would only report it again.
                if case .notRun(let why) = outcome.check {
                    if summary.stoppedBecause == nil { summary.stoppedBecause = why }
                    summary.stoppedOnErrors = true
                    stop.raise()
                    continue
                }
                summary.add(outcome)
                if let candidate = outcome.candidate, let directory = configuration.outDirectory {
                    quota.take(candidate, in: directory, write: self.write)
                }
                summary.elapsed = (ContinuousClock.now - started).seconds
                progress(summary)
                errorsInARow = outcome.check.isError ? errorsInARow + 1 : 0
                if errorsInARow >= Self.consecutiveErrorLimit, summary.stoppedBecause == nil {
                    summary.stoppedBecause =
                        "\(summary.implementation) failed on \(errorsInARow) requests in a row without an answer to judge "
                        + "(the last: \(outcome.check.headline ?? "")), so the run stopped; fix the program and run again"
                    summary.stoppedOnErrors = true
                    stop.raise()
                }
                if stop.raised { continue }
                if let i = pending.next() { group.addTask { await self.run(iteration: i, stop: stop) } }
            }
        }
        summary.interrupted = stop.raised && !summary.stoppedOnErrors && summary.iterationsRun < summary.iterationsPlanned
        summary.record(quota)
        summary.elapsed = (ContinuousClock.now - started).seconds
        summary.finish()
        return summary
    }

    /// Case `iteration`: drawn, checked, and when it fails shrunk, diagnosed and made a fixture
    /// candidate (which `run` writes if its kind's quota allows, and `write` writes at once).
    ///
    /// Shrinking keeps only candidates that fail in the same way as the case drawn
    /// (`FailureSignature.admits`), and a case is a candidate only when it also fails against the
    /// reference's values with the fixture's tolerance: every fixture written fails `validate` and
    /// `replay --impl` for the implementation that produced it.
    public func run(iteration: Int, stop: StopSignal = StopSignal()) async -> CaseOutcome {
        let problem = generator.problem(iteration: iteration)
        let drawn = await examine(problem)
        var outcome = CaseOutcome(iteration: iteration, problem: problem, check: drawn.check)
        guard drawn.check.failed else { return outcome }
        guard configuration.outDirectory != nil else {
            if let findings = drawn.findings { outcome.diagnosis = Diagnosis.describe(findings) }
            return outcome
        }
        var minimal = problem, shrunk = drawn
        if configuration.shrink, let signature = drawn.signature {
            let started = ContinuousClock.now
            let shrinking = await self.shrinking(problem, failing: signature, stop: stop)
            minimal = shrinking.problem
            outcome.shrinkCandidatesChecked = shrinking.candidatesChecked
            outcome.shrinkSeconds = (ContinuousClock.now - started).seconds
            if minimal != problem { shrunk = await examine(minimal) }
        }
        outcome.shrunkLayers = minimal.network.layers
        outcome.shrunkBatch = minimal.batchSize
        let findings = shrunk.findings
        if let findings { outcome.diagnosis = Diagnosis.describe(findings) }
        if shrunk.withinFixtureTolerance {
            let t = configuration.tolerance
            outcome.fixture = .failure(
                FixtureStoreError(
                    description:
                        "it fails against the oracle, but every entry is within the fixture's tolerance (rtol \(t.rtol), atol \(t.atol)) of the reference's values, so validate would pass it: not written"
                ))
            return outcome
        }
        let origin = Fixture.Origin(
            kind: "fuzz", seed: configuration.seed, iteration: iteration,
            unshrunkLayers: problem.network.layers, unshrunkBatch: problem.batchSize,
            implementation: configuration.implementation.name, command: nil)
        outcome.candidate = FixtureCandidate(
            iteration: iteration, problem: minimal,
            kind: (shrunk.signature ?? drawn.signature).map { MistakeKind($0, findings: findings ?? [], batchSize: minimal.batchSize) } ?? .unknown,
            origin: origin,
            headline: shrunk.check.headline ?? "")
        return outcome
    }

    /// Writes a failing case's fixture into the run's directory, whatever the quota: its path, or
    /// why it could not be written.
    public func write(_ candidate: FixtureCandidate) -> Result<URL, FixtureStoreError> {
        guard let directory = configuration.outDirectory else { return .failure(FixtureStoreError(description: "no fixture directory")) }
        return candidate.write(into: FixtureStore(directory: directory), replayCommand: configuration.replayCommand, tolerance: configuration.tolerance)
    }

    /// `problem` shrunk to a smallest case that fails as it does (`FailureSignature.admits`); the
    /// problem itself when it does not fail with a wrong answer.
    public func shrunk(_ problem: Problem, stop: StopSignal = StopSignal()) async -> Problem {
        guard let signature = await examine(problem).signature else { return problem }
        return await shrinking(problem, failing: signature, stop: stop).problem
    }

    private func shrinking(_ problem: Problem, failing signature: FailureSignature, stop: StopSignal) async -> Shrinker.Outcome {
        let distribution = configuration.distribution
        let shrinker = Shrinker(kinkMargin: distribution.kinkMargin, family: distribution.family, stop: stop) { candidate in
            guard let same = await self.examine(candidate).signature else { return false }
            return signature.admits(same)
        }
        return await shrinker.shrinking(problem)
    }

    /// The implementation's answer for `problem` against the oracle, entry by entry.
    public func check(_ problem: Problem) async -> CaseCheck {
        await examine(problem).check
    }

    /// A case checked, with what shrinking and writing need to know about its failure.
    struct Examined {
        var check: CaseCheck
        /// How it fails, when it is a wrong answer (nil for a pass, an unanswered case or a misbehaving program).
        var signature: FailureSignature?
        /// Whether the answer fails against the oracle yet lies within the fixture's tolerance of
        /// the reference's values everywhere: validate would pass it.
        var withinFixtureTolerance = false
        /// The answer judged, when it had the right shape.
        var judgement: Judgement?

        /// The likely mistakes behind a failing answer, as validate finds them: against the
        /// reference's values, with the run's tolerance (`Judgement.findings`). Nil for an answer
        /// that passes or has the wrong shape.
        var findings: [Finding]? {
            guard let judgement, let verdict = judgement.verdict, !verdict.passed else { return nil }
            return judgement.findings()
        }
    }

    /// Checks `problem`: the answer judged against the oracle with the run's tolerance (`Judgement`).
    func examine(_ problem: Problem) async -> Examined {
        let answer: Answer
        do { answer = try await configuration.implementation.backprop(problem) } catch {
            // A program's answer of the wrong shape is refused as it is read: a wrong answer all the same.
            let failure = AnswerFailure(error)
            return Examined(check: CaseCheck(failure), signature: failure.kind == .wrongAnswer ? .malformed : nil)
        }
        if let mismatch = answer.shapeMismatch(for: problem) { return Examined(check: .malformed(mismatch.message), signature: .malformed) }
        let oracle = configuration.oracle.differentiate(problem, delta: answer.delta != nil)
        if let place = oracle.firstNonFinite {
            return Examined(check: .oracleUnusable("no finite derivative (or error estimate) for \(place)"))
        }
        let judgement = Judgement(answer, for: problem, against: .oracle(oracle), tolerance: configuration.tolerance, cost: configuration.cost)
        guard let verdict = judgement.verdict else { return Examined(check: .malformed(judgement.malformed?.message ?? ""), signature: .malformed) }
        guard !verdict.passed else { return Examined(check: .verdict(verdict)) }
        let exact = judgement.against(.reference(Reference.backprop(problem)))
        return Examined(
            check: .verdict(verdict),
            signature: FailureSignature(judgement: judgement, exact: exact),
            withinFixtureTolerance: exact.passed, judgement: exact)
    }
}

import Foundation

/// Which iterations a machine runs: shard K of N takes iterations i with i mod N = K − 1, so N
/// machines running the same seed cover the run exactly once between them, and each case is the
/// same case on whichever machine draws it.
public struct Shard: Equatable, Codable, Sendable, CustomStringConvertible {
    /// K, 1…N.
    public var index: Int
    /// N.
    public var count: Int

    public static let whole = Shard(index: 1, count: 1)

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses "K/N" with 1 ≤ K ≤ N; says what was expected otherwise.
    public init(parsing text: String) throws(InputError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(k) else {
            throw InputError(field: "--shard", "expected K/N with 1 ≤ K ≤ N (e.g. 1/4), got \"\(text)\"")
        }
        self.init(index: k, count: n)
    }

    /// This shard's iterations of a run of `total`.
    public func iterations(of total: Int) -> StrideTo<Int> {
        stride(from: index - 1, to: total, by: count)
    }

    public var description: String { "\(index)/\(count)" }
}

/// Everything a fuzzing run needs to know.
public struct FuzzConfiguration: Sendable {
    public var seed: UInt64
    public var iterations: Int
    public var jobs: Int
    public var distribution: Distribution
    public var shard: Shard
    /// Where shrunk failing cases are written; nil writes none.
    public var outDirectory: URL?
    /// The implementation under test: the reference by default; any `BackpropImplementation`
    /// (an external program, a catalogued mistake) plugs in here.
    public var implementation: any BackpropImplementation
    /// The command that replays a fixture file with `implementation` under test, written into
    /// each fixture: `gradfuzz replay FILE` for the reference.
    public var replayCommand: @Sendable (String) -> String
    public var oracle: Oracle
    public var tolerance: Tolerance
    /// Whether failing cases are shrunk before they are written.
    public var shrink: Bool

    public init(seed: UInt64, iterations: Int, jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
                distribution: Distribution = Distribution(), shard: Shard = .whole, outDirectory: URL? = nil,
                implementation: any BackpropImplementation = ReferenceImplementation(),
                replayCommand: @escaping @Sendable (String) -> String = { "gradfuzz replay \($0)" },
                oracle: Oracle = Oracle(), tolerance: Tolerance = .oracle, shrink: Bool = true) {
        self.seed = seed
        self.iterations = iterations
        self.jobs = jobs
        self.distribution = distribution
        self.shard = shard
        self.outDirectory = outDirectory
        self.implementation = implementation
        self.replayCommand = replayCommand
        self.oracle = oracle
        self.tolerance = tolerance
        self.shrink = shrink
    }
}

/// The outcome of checking one answer against the oracle.
public enum CaseCheck: Sendable {
    /// The verdict, entry by entry.
    case verdict(Verdict)
    /// The answer has the wrong shape: nothing could be compared.
    case malformed(String)
    /// The implementation said it does not support the case (e.g. an activation it lacks): not a failure.
    case unanswered(String)
    /// The implementation misbehaved (an external program that crashed, hung or broke the
    /// protocol): a failure, written as a fixture, but never shrunk.
    case programError(String)
    /// The oracle has no finite value for some entry: nothing is known about the answer. Counted
    /// and reported, never a failure of the implementation (and never a shrinking target).
    case oracleUnusable(String)

    /// Whether the implementation got this case wrong (an unanswered case is not a wrong answer).
    public var failed: Bool {
        switch self {
        case .verdict(let v): return !v.passed
        case .malformed, .programError: return true
        case .unanswered, .oracleUnusable: return false
        }
    }

    /// Whether shrinking may search around this failure: a wrong answer, not a misbehaving program.
    public var shrinkable: Bool {
        switch self {
        case .verdict(let v): return !v.passed
        case .malformed: return true
        default: return false
        }
    }

    /// The first failing entry, or what was wrong with the answer.
    public var headline: String? {
        switch self {
        case .verdict(let v):
            guard !v.passed else { return nil }
            let worst = v.matrices.first { !$0.passed && $0.quantity == .delta && $0.layer == v.firstWrongLayer }?.failures.first
                ?? v.matrices.compactMap(\.failures.first).max { $0.severity < $1.severity }
            return worst.map { "first wrong at layer \(v.firstWrongLayer ?? 0): \($0)" }
        case .malformed(let why): return "malformed answer: \(why)"
        case .unanswered(let why): return "no answer: \(why)"
        case .programError(let why): return "the program failed: \(why)"
        case .oracleUnusable(let why): return "oracle unusable: \(why)"
        }
    }
}

/// What a run reports for one case: its shape, what was checked and, when it failed, the shrunk
/// fixture. It depends only on (seed, iteration) and the implementation, never on --jobs.
public struct CaseOutcome: Sendable {
    public var iteration: Int
    public var problem: Problem
    public var check: CaseCheck
    /// The fixture written for a failing case, or why none could be written.
    public var fixture: Result<URL, FixtureStoreError>?
    public var shrunkLayers: [Int]?
    public var shrunkBatch: Int?
}

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
        var summary = FuzzSummary(configuration: configuration, planned: iterations.underestimatedCount)
        let started = ContinuousClock.now
        await withTaskGroup(of: CaseOutcome.self) { group in
            var pending = iterations.makeIterator()
            for _ in 0..<max(1, configuration.jobs) {
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
        do { answer = try await configuration.implementation.backprop(problem) } catch let error as Unsupported {
            return .unanswered(error.message)
        } catch let error as StudentError where error.isWrongAnswer {
            return .malformed(error.message)
        } catch {
            return .programError("\(error)")
        }
        if let why = answer.shapeProblem(for: problem) { return .malformed(why) }
        let oracle = configuration.oracle.differentiate(problem, delta: answer.delta != nil)
        if let place = oracle.firstNonFinite { return .oracleUnusable("no finite derivative (or error estimate) for \(place)") }
        return .verdict(Verdict(answer: answer, oracle: oracle, tolerance: configuration.tolerance))
    }
}

extension OracleResult {
    /// The first entry whose derivative, error estimate or analytic allowance is not finite, as "layer 2 dW[0, 3]".
    var firstNonFinite: String? {
        let groups: [(Quantity, [Estimates])] = [(.dW, dW), (.db, db), (.delta, delta)]
        for (quantity, list) in groups {
            for (p, e) in list.enumerated() {
                for t in e.value.storage.indices
                where !e.value.storage[t].isFinite || !e.error.storage[t].isFinite || !e.analyticRounding.storage[t].isFinite {
                    let (r, c) = t.quotientAndRemainder(dividingBy: max(1, e.value.columns))
                    return Entry(layer: p + 1, quantity: quantity, row: r, column: c, expected: 0, got: 0, bound: 0).place
                }
            }
        }
        return nil
    }
}

extension Answer {
    /// Why this answer cannot be compared entry by entry with the problem's gradient (a wrong
    /// number of layers, a matrix of the wrong shape), or nil when it can.
    public func shapeProblem(for problem: Problem) -> String? {
        let layers = problem.network.layers
        let depth = problem.network.depth
        guard dW.count == depth else { return "dW has \(dW.count) matrices, expected \(depth)" }
        guard db.count == depth else { return "db has \(db.count) vectors, expected \(depth)" }
        for p in 0..<depth {
            if dW[p].rows != layers[p] || dW[p].columns != layers[p + 1] {
                return "dW[\(p)] is \(dW[p].shape), expected \(layers[p])×\(layers[p + 1])"
            }
            if db[p].count != layers[p + 1] { return "db[\(p)] has \(db[p].count) entries, expected \(layers[p + 1])" }
        }
        if let delta {
            guard delta.count == depth else { return "delta has \(delta.count) matrices, expected \(depth)" }
            for p in 0..<depth where delta[p].rows != problem.batchSize || delta[p].columns != layers[p + 1] {
                return "delta[\(p)] is \(delta[p].shape), expected \(problem.batchSize)×\(layers[p + 1])"
            }
        }
        return nil
    }
}

/// Raised (by Ctrl-C) to stop a run: no new case starts, a shrink in progress stops where it is.
public final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    public init() {}

    public var raised: Bool { lock.withLock { value } }

    public func raise() { lock.withLock { value = true } }
}

import ArgumentParser
import Foundation
import GradFuzz

/// `gradfuzz [fuzz]`: random networks against the GSL oracle; failing cases shrunk into fixtures.
struct FuzzCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Check backprop on random networks against the GSL oracle; write failing cases, shrunk, as fixtures.",
        discussion: """
            Case i is drawn from (seed, i) alone: the same seed gives the same cases and verdicts for any --jobs,
            and --shard K/N splits a run between N machines. Exit status: 0 no failure, 1 failures found,
            2 usage or input error, 130 interrupted (Ctrl-C) without failures.
            """)

    @Option(name: .customLong("iters"), parsing: .unconditional, help: "Number of random cases (the whole run, over all shards).")
    var iterations = "10000"

    @Option(parsing: .unconditional, help: "Seed of the run (a fresh one is drawn and printed when absent).")
    var seed: String?

    @Option(parsing: .unconditional, help: "Cases checked in parallel (default: all cores).")
    var jobs: String?

    @Option(name: .customLong("max-depth"), parsing: .unconditional, help: "Largest number of layers L (default 6).")
    var maxDepth = "6"

    @Option(name: .customLong("max-width"), parsing: .unconditional, help: "Largest layer width (default 24).")
    var maxWidth = "24"

    @Option(name: .customLong("max-batch"), parsing: .unconditional, help: "Largest batch size m (default 8).")
    var maxBatch = "8"

    @Option(help: "Activations to draw from, comma-separated (default: all).")
    var activations: String?

    @Option(help: "Losses to draw from, comma-separated (default: all that fit an allowed output activation).")
    var losses: String?

    @Option(help: "Directory for the fixtures of failing cases.")
    var out = "fixtures/found"

    @Option(help: "Also write the summary as JSON to this file.")
    var json: String?

    @Option(parsing: .unconditional, help: "Run only shard K of N (1 ≤ K ≤ N): iterations i with i mod N = K − 1.")
    var shard: String?

    @Flag(name: .customLong("no-shrink"), help: "Write failing cases as drawn, without shrinking them.")
    var noShrink = false

    @OptionGroup var implementationOptions: ImplementationOptions

    func run() async throws {
        let setup: FuzzConfiguration
        do { setup = try configuration() } catch { throw UsageError(error.description) }
        try await Self.fuzz(setup, jsonPath: json)
    }

    /// The run's configuration from the flags, or the first flag that is wrong and why.
    func configuration() throws(InputError) -> FuzzConfiguration {
        let iterations = try Self.integer(self.iterations, flag: "--iters", in: 1...Int.max)
        let jobs = try jobs.map { text throws(InputError) in try Self.integer(text, flag: "--jobs", in: 1...1024) }
            ?? ProcessInfo.processInfo.activeProcessorCount
        let distribution = Distribution(
            depth: 1...(try Self.integer(maxDepth, flag: "--max-depth", in: 1...64)),
            width: 1...(try Self.integer(maxWidth, flag: "--max-width", in: 1...1024)),
            batch: 1...(try Self.integer(maxBatch, flag: "--max-batch", in: 1...1024)),
            activations: try Self.names(activations, flag: "--activations", all: Activation.allCases),
            losses: try Self.names(losses, flag: "--losses", all: Loss.allCases))
        if let why = distribution.problem { throw InputError(field: "--activations/--losses", why) }
        let seed: UInt64
        if let text = self.seed {
            guard let value = UInt64(text) else {
                throw InputError(field: "--seed", "expected a whole number from 0 to \(UInt64.max), got \"\(text)\"")
            }
            seed = value
        } else {
            seed = UInt64.random(in: 0...UInt64.max) >> 16  // short enough to retype
        }
        let shard = try self.shard.map { text throws(InputError) in try Shard(parsing: text) } ?? .whole
        let directory = URL(fileURLWithPath: out)
        do { try FixtureStore(directory: directory).prepare() } catch {
            throw InputError(field: "--out", error.description)
        }
        if let json {
            do throws(OutputFileError) { try OutputFile.checkWritable(json) } catch { throw InputError(field: "--json", error.description) }
        }
        let (implementation, replay) = try implementationOptions.implementation()
        return FuzzConfiguration(seed: seed, iterations: iterations, jobs: jobs, distribution: distribution, shard: shard,
                                 outDirectory: directory, implementation: implementation, replayCommand: replay,
                                 shrink: !noShrink)
    }

    /// A whole number within `range` (upper limits keep a case's matrices within memory).
    static func integer(_ text: String, flag: String, in range: ClosedRange<Int>) throws(InputError) -> Int {
        guard let value = Int(text), range.contains(value) else {
            let expected = range.upperBound == Int.max ? "≥ \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
            throw InputError(field: flag, "expected a whole number \(expected), got \"\(text)\"")
        }
        return value
    }

    static func names<T: RawRepresentable & CaseIterable>(_ text: String?, flag: String, all: T.AllCases) throws(InputError) -> [T]
    where T.RawValue == String {
        guard let text else { return Array(all) }
        var chosen: [T] = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let value = T(rawValue: name) else {
                throw InputError(field: flag, "unknown name \"\(name)\"; expected some of \(all.map(\.rawValue).joined(separator: ","))")
            }
            if !chosen.contains(where: { $0.rawValue == value.rawValue }) { chosen.append(value) }
        }
        guard !chosen.isEmpty else { throw InputError(field: flag, "expected at least one name, got \"\(text)\"") }
        return chosen
    }

    /// Runs the fuzzer with its progress line, Ctrl-C handling and summary; exits 1 on failures.
    static func fuzz(_ setup: FuzzConfiguration, jsonPath: String?) async throws {
        let fuzzer = Fuzzer(setup)
        // One case first: a program that cannot start is a usage error, not 10 000 failures.
        let first = Array(fuzzer.iterations.prefix(1)).first ?? 0
        do { _ = try await setup.implementation.backprop(fuzzer.generator.problem(iteration: first)) } catch {
            let failure = AnswerFailure(error)
            if failure.kind == .cannotStart {
                await setup.implementation.close()
                throw UsageError("--impl: \(failure.message)")
            }
        }
        let shardText = setup.shard == .whole ? "" : ", shard \(setup.shard) (\(fuzzer.iterations.underestimatedCount) of them)"
        print("gradfuzz: seed \(setup.seed) (the same run again: --seed \(setup.seed))")
        print("distribution: \(setup.distribution.summary)")
        print("testing \(setup.implementation.name) against the GSL oracle: \(setup.iterations) iterations\(shardText), "
              + "\(setup.jobs) jobs; failing cases shrunk into \(setup.outDirectory?.relativePath ?? "nowhere")/")
        fflush(nil)

        let stop = StopSignal()
        let interrupt = Interrupt(stop)
        let progress = ProgressLine()
        let summary = await fuzzer.run(stop: stop, progress: progress.update)
        progress.finish(summary)
        interrupt.cancel()
        await setup.implementation.close()

        print(SummaryReport(summary).text, terminator: "")
        if let jsonPath {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            do { try OutputFile.write(encoder.encode(summary), to: jsonPath) } catch {
                throw UsageError("--json: \(error.localizedDescription)")
            }
        }
        if !summary.noFailures { throw ExitCode(1) }
        if let why = summary.nothingChecked, !summary.interrupted { throw UsageError(why) }
        if summary.interrupted { throw ExitCode(130) }
    }
}

/// Ctrl-C: the first raises the stop signal (cases in progress finish, the summary is printed);
/// a second ends the process at once (fixtures are never half written: they appear by rename).
final class Interrupt: @unchecked Sendable {
    private let source: DispatchSourceSignal
    private var count = 0

    init(_ stop: StopSignal) {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .main)
        source.setEventHandler { [unowned self] in
            count += 1
            if count > 1 { Foundation.exit(130) }
            stop.raise()
            FileHandle.standardError.write(Data("\ninterrupted: finishing the cases in progress (Ctrl-C again to quit now)\n".utf8))
        }
        source.resume()
    }

    func cancel() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}

/// On a terminal, one line rewritten in place (at most 10 times a second); otherwise a plain line
/// every 5 seconds. Written to standard error, so standard output holds only the report.
final class ProgressLine: @unchecked Sendable {
    private let terminal = isatty(STDERR_FILENO) != 0
    private var last = ContinuousClock.now
    private var shown = false

    func update(_ summary: FuzzSummary) {
        let now = ContinuousClock.now
        guard now - last >= (terminal ? .milliseconds(100) : .seconds(5)) else { return }
        last = now
        write(summary)
    }

    func finish(_ summary: FuzzSummary) {
        if terminal && shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    private func write(_ summary: FuzzSummary) {
        let done = summary.iterationsRun, total = summary.iterationsPlanned
        let rate = summary.casesPerSecond
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let text = "\(done)/\(total) iterations  \(Int(rate.rounded()))/s  \(summary.failures) failures  ETA \(Int(eta.rounded()))s"
        FileHandle.standardError.write(Data((terminal ? "\r\u{1B}[K" + text : text + "\n").utf8))
        shown = true
    }
}

/// A usage or input error: one line on standard error, exit status 2.
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

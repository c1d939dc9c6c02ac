import ArgumentParser
import Foundation
import GradFuzz

/// `gradfuzz bench`: the oracle's speed and accuracy on fixed networks, or (--agreement) both
/// oracle methods compared on the fuzzer's cases.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time a full entry-by-entry GSL check and one analytic backprop on fixed networks; or compare the two oracles.",
        discussion: """
            Networks: S = [4,8,8,3] batch 8, M = [16,32,32,10] batch 16, L = [64,128,64,10] batch 32 (tanh hidden layers, \
            sigmoid output, squared_error); W128 = [128,128,128,128,10] and W256 = [256,256,256,256,10] batch 8, \
            MNIST = [784,256,128,10] batch 64 (relu hidden layers, softmax output, cross_entropy, one-hot targets); \
            W ~ N(0, 1/m_{l-1}), X ~ N(0,1), Y ~ U(0,1), fixed seed. --layers names a network of the second kind instead. \
            With --oracle entries the wide networks take minutes.

            Times are medians. Relative error of an entry: |numeric - analytic| / max(|analytic|, 1e-3 * largest |analytic| of its matrix).

            With --agreement: the fuzzer's cases 0..<--iters of --seed (the default distribution), each differentiated by \
            both oracles; an entry agrees when |units - entries| <= the sum of their error estimates. Exit status 1 when \
            an entry disagrees.
            """)

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Runs per shape, of which the median is reported; 31 for S, 15 for M, 5 for L and 3 otherwise when absent.", valueName: "n"))
    var runs: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Worker threads for one check (for --agreement, cases at a time).", valueName: "n"))
    var jobs = 1

    @Option(help: ArgumentHelp("Shapes to run, comma-separated names (\(Benchmark.shapes.map(\.name).joined(separator: ", "))).", valueName: "names"))
    var shapes = Benchmark.shapes.map(\.name).joined(separator: ",")

    @Option(
        help: ArgumentHelp(
            "Run this network instead of the named shapes: layer sizes m_0,…,m_L, relu hidden layers, softmax output, cross_entropy.",
            valueName: "sizes"))
    var layers: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Batch size of the --layers network.", valueName: "m"))
    var batch = 8

    @OptionGroup var oracleOptions: OracleOptions

    @Flag(help: "Also differentiate every per-sample error signal g^(i,l) (not only dW and db).")
    var delta = false

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: ArgumentHelp("Also write each shape's problem to DIR/<shape>.json (the fixture's problem fields), for ci/bench-peers.py.", valueName: "DIR"))
    var export: String?

    @Flag(help: "Compare the two oracles on the fuzzer's cases instead of timing the shapes.")
    var agreement = false

    @Option(name: .customLong("iters"), parsing: .unconditional, help: ArgumentHelp("Cases compared by --agreement.", valueName: "n"))
    var iterations = 10000

    @Option(parsing: .unconditional, help: "Seed of the cases compared by --agreement.", transform: Expect.seed)
    var seed: UInt64 = 1

    func validate() throws {
        if let runs { try Expect.whole(runs, "--runs", in: 1...Int.max) }
        try Expect.whole(jobs, "--jobs", in: 1...1024)
        try Expect.whole(batch, "--batch", in: 1...4096)
        try Expect.whole(iterations, "--iters", in: 1...Int.max)
        try Expect.path(export, "--export", "a directory for the problems")
        _ = try chosenShapes()
    }

    /// The named shapes, or the --layers network.
    func chosenShapes() throws -> [Benchmark.Shape] {
        if let layers {
            let sizes = layers.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard sizes.count >= 2, sizes.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= 4096 }) else {
                throw ValidationError("--layers: expected at least two comma-separated whole numbers from 1 to 4096, got \"\(layers)\"")
            }
            let compacted = sizes.compactMap { $0 }
            return [Benchmark.wide(name: compacted.map(String.init).joined(separator: "x"), layers: compacted, batch: batch)]
        }
        let known = Benchmark.shapes.map(\.name)
        let wanted = shapes.split(separator: ",").map(String.init)
        for name in wanted where !known.contains(name) {
            throw ValidationError("--shapes: unknown shape \"\(name)\"; expected a comma-separated list of \(known.joined(separator: ", "))")
        }
        return Benchmark.shapes.filter { wanted.contains($0.name) }
    }

    func run() throws {
        if agreement { return try compareOracles() }
        let chosen = try chosenShapes()
        if let export {
            for shape in chosen {
                let file = URL(fileURLWithPath: export).appendingPathComponent("\(shape.name).json")
                do {
                    try OutputFile.createDirectory(export)
                    try OutputFile.write(JSONEncoder().encode(RawProblem(Benchmark.problem(shape))), to: file.path)
                } catch {
                    throw ValidationError("--export: \(file.path): cannot write the problem: \(error.localizedDescription)")
                }
            }
        }
        let oracle = Oracle(method: oracleOptions.oracle)
        var results: [Benchmark.Result] = []
        for shape in chosen {
            results.append(Benchmark.run(shape, runs: runs ?? shape.runs, delta: delta, jobs: jobs, oracle: oracle))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
            return
        }
        let what = delta ? "dW, db and every g^(i,l)" : "dW and db, not g"
        print("full check (\(what)), oracle \(oracle.method.rawValue), \(jobs) job\(jobs == 1 ? "" : "s"), median times")
        print("| shape | layers | network | batch | parameters | evaluations/entry | check | check (CPU) | fastest check | backprop | max rel. error |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for r in results {
            print(
                "| \(r.shape.name) | \(r.shape.layers.map(String.init).joined(separator: ",")) | \(r.shape.summary) | \(r.shape.batch) | \(r.parameters) "
                    + "| \(String(format: "%.2f", r.evaluationsPerEntry)) | \(duration(r.checkSeconds)) | \(duration(r.checkCPUSeconds)) | \(duration(r.fastestCheckSeconds)) | \(duration(r.backpropSeconds)) "
                    + "| \(String(format: "%.1e", r.maxRelativeError)) |")
        }
    }

    /// --agreement: both oracles on the fuzzer's cases.
    private func compareOracles() throws {
        let run = OracleAgreementRun.run(seed: seed, iterations: iterations, jobs: jobs)
        let a = run.agreement
        print("oracle agreement on \(run.cases) fuzz cases (seed \(seed), default distribution), dW and db:")
        print("  \(a.compared) entries compared, \(a.kinks) at a kink in either (not compared), \(a.disagreements) outside the sum of the error estimates")
        print("  largest |units − entries| / (e_units + e_entries): \(String(format: "%.3g", a.worstRatio)) at \(a.worstPlace)")
        print("  Σ error estimates, units / entries: \(String(format: "%.3g", a.firstErrorSum / a.secondErrorSum))")
        let ratio = String(format: "%.1f", run.entriesSeconds / run.unitsSeconds)
        print("  processor time: units \(duration(run.unitsSeconds)), entries \(duration(run.entriesSeconds)) (\(ratio)×)")
        for iteration in run.disagreeingCases.prefix(10) { print("  disagreeing case: iteration \(iteration)") }
        for entry in a.examples { print("  \(entry.place): units \(entry.expected), entries \(entry.got), allowed \(entry.bound)") }
        if !a.agrees { throw ExitCode(1) }
    }

    private func duration(_ s: Double) -> String {
        s >= 1 ? String(format: "%.2f s", s) : s >= 1e-3 ? String(format: "%.1f ms", s * 1e3) : String(format: "%.0f µs", s * 1e6)
    }
}

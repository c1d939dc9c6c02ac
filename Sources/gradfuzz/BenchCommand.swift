import ArgumentParser
import Foundation
import GradFuzz

/// `gradfuzz bench`: the oracle's speed and accuracy on the fixed benchmark networks S, M and L.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time a full entry-by-entry GSL check and one analytic backprop on fixed networks S, M, L.",
        discussion: """
            Networks: S = [4,8,8,3] batch 8, M = [16,32,32,10] batch 16, L = [64,128,64,10] batch 32; \
            tanh hidden layers, sigmoid output, squared_error, W ~ N(0, 1/m_{l-1}), X ~ N(0,1), Y ~ U(0,1), fixed seed.

            Times are medians. Relative error of an entry: |numeric - analytic| / max(|analytic|, 1e-3 * largest |analytic| of its matrix).
            """)

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Runs per shape, of which the median is reported; 31 for S, 15 for M and 5 for L when absent.", valueName: "n"))
    var runs: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Worker threads for one check.", valueName: "n"))
    var jobs = 1

    @Option(help: ArgumentHelp("Shapes to run, comma-separated names (S, M, L).", valueName: "names"))
    var shapes = "S,M,L"

    @Flag(help: "Also differentiate every per-sample error signal g^(i,l) (not only dW and db).")
    var delta = false

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: ArgumentHelp("Also write each shape's problem to DIR/<shape>.json (the fixture's problem fields), for ci/bench-peers.py.", valueName: "DIR"))
    var export: String?

    func validate() throws {
        if let runs { try Expect.whole(runs, "--runs", in: 1...Int.max) }
        try Expect.whole(jobs, "--jobs", in: 1...1024)
        try Expect.path(export, "--export", "a directory for the problems")
        let known = Set(Benchmark.shapes.map(\.name))
        for name in shapes.split(separator: ",") where !known.contains(String(name)) {
            throw ValidationError("--shapes: unknown shape \"\(name)\"; expected a comma-separated list of \(known.sorted().joined(separator: ", "))")
        }
    }

    func run() throws {
        let wanted = Set(shapes.split(separator: ",").map(String.init))
        if let export {
            for shape in Benchmark.shapes where wanted.contains(shape.name) {
                let file = URL(fileURLWithPath: export).appendingPathComponent("\(shape.name).json")
                do {
                    try OutputFile.createDirectory(export)
                    try OutputFile.write(JSONEncoder().encode(RawProblem(Benchmark.problem(shape))), to: file.path)
                } catch {
                    throw ValidationError("--export: \(file.path): cannot write the problem: \(error.localizedDescription)")
                }
            }
        }
        var results: [Benchmark.Result] = []
        for (index, shape) in Benchmark.shapes.enumerated() where wanted.contains(shape.name) {
            results.append(Benchmark.run(shape, runs: runs ?? [31, 15, 5][index], delta: delta, jobs: jobs))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
            return
        }
        let what = delta ? "dW, db and every g^(i,l)" : "dW and db, not g"
        print("full entry-by-entry check (\(what)), \(jobs) job\(jobs == 1 ? "" : "s"), median times")
        print("| shape | layers | batch | parameters | evaluations/entry | check | check (CPU) | fastest check | backprop | max rel. error |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for r in results {
            print(
                "| \(r.shape.name) | \(r.shape.layers.map(String.init).joined(separator: ",")) | \(r.shape.batch) | \(r.parameters) "
                    + "| \(String(format: "%.2f", r.evaluationsPerEntry)) | \(duration(r.checkSeconds)) | \(duration(r.checkCPUSeconds)) | \(duration(r.fastestCheckSeconds)) | \(duration(r.backpropSeconds)) "
                    + "| \(String(format: "%.1e", r.maxRelativeError)) |")
        }
    }

    private func duration(_ s: Double) -> String {
        s >= 1 ? String(format: "%.2f s", s) : s >= 1e-3 ? String(format: "%.1f ms", s * 1e3) : String(format: "%.0f µs", s * 1e6)
    }
}

import ArgumentParser
import Foundation
import GradFuzz

/// `gradfuzz merge SUMMARY.json…`: the shards' summaries of a run as the summary of the whole run.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the JSON summaries of a fuzz run's shards into the summary of the whole run.",
        discussion: """
            Each summary is one shard's (gradfuzz fuzz --seed S --iters N --shard K/N --json FILE). The merged summary is \
            the one the unsharded run would have printed and written: the counts, the coverage table, the failing cases \
            (the lowest iterations) and the fixtures of all the shards; only the timings differ (the longest shard's).

            Refused, with the reason: summaries of different runs (seed, --iters, number of shards, program, family, \
            tolerance or --no-shrink differ), a shard given twice, and a shard missing unless --allow-partial.

            Exit status: 0 no failure, 1 failures found, 2 usage or input error.
            """)

    @Argument(help: ArgumentHelp("The shards' summaries, written by gradfuzz fuzz --shard K/N --json FILE.", valueName: "summary"))
    var summaries: [String] = []

    @Option(help: ArgumentHelp("Also write the merged summary as JSON to this file.", valueName: "file"))
    var json: String?

    @Flag(name: .customLong("allow-partial"), help: "Merge the shards given even when some of the run's are missing.")
    var allowPartial = false

    func validate() throws {
        if summaries.isEmpty { throw ValidationError("expected the shards' summaries, e.g. gradfuzz merge summary-1.json summary-2.json") }
        try Expect.path(json, "--json", "a file for the merged summary")
        try Expect.outputs([("--json", json)], inputs: summaries)
    }

    func run() throws {
        var read: [(source: String, summary: FuzzSummary)] = []
        for path in summaries {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw ValidationError("\(path): cannot read it (\(error.localizedDescription)); expected a summary written by gradfuzz fuzz --json")
            }
            do throws(InputError) { read.append((path, try FuzzSummary(json: data, file: path))) } catch { throw ValidationError(error) }
        }
        let merged: FuzzSummary
        do throws(ShardMergeError) { merged = try FuzzSummary.merging(read, allowPartial: allowPartial) } catch {
            throw ValidationError(error.description)
        }
        print(SummaryReport(merged).text, terminator: "")
        if let beyond = merged.beyondQuota {
            print(
                "note: the shards wrote \(beyond.count) fixture\(beyond.count == 1 ? "" : "s") beyond the run's \(FixtureQuota.perKind) of each kind of mistake, "
                    + "which the unsharded run would not have: \(beyond.joined(separator: " "))")
        }
        if let json {
            do { try OutputFile.write(merged.json(), to: json) } catch { throw ValidationError("--json: \(error)") }
        }
        if !merged.noFailures { throw ExitCode(1) }
    }
}

import Foundation
import GradFuzz

/// The end-of-run summary as text: counts, networks by depth, failures (those that shrank to one
/// fixture on one row, each with its diagnosis), errors with the program's error output, and the
/// coverage table.
struct SummaryReport {
    let summary: FuzzSummary

    init(_ summary: FuzzSummary) { self.summary = summary }

    var text: String {
        let s = summary
        var out = "\n"
        let state = s.interrupted ? " (interrupted)" : ""
        out +=
            "iterations: \(s.iterationsRun) of \(s.iterationsPlanned)\(state) in \(String(format: "%.1f", s.elapsedSeconds)) s"
            + " (\(Int(s.casesPerSecond.rounded())) cases/s)\n"
        if let why = s.stoppedBecause { out += "stopped: \(why)\n" }
        if let shards = s.mergedShards {
            out += "partial: merged shards \(shards.map(\.description).joined(separator: ", ")) of the \(s.totalIterations) iterations' run\n"
        }
        let depths = s.networksByDepth.enumerated().dropFirst().filter { $0.element > 0 }.map { "\($0.offset): \($0.element)" }
        out += "networks by depth: \(depths.joined(separator: ", "))\n"
        out += "cases: \(s.checked) checked (\(s.passed) passed, \(s.failures) failed), \(s.declined) declined by the program"
        if s.errors > 0 { out += ", \(s.errors) errors (the program failed without an answer)" }
        if s.oracleUnusable > 0 { out += ", \(s.oracleUnusable) not checked (the oracle had no finite value)" }
        out += "\n"
        out += "entries checked: \(s.entriesChecked); not checkable at a kink: \(s.entriesNotCheckableAtKinks)\n"
        out += "failures: \(s.failures) cases (\(s.failingEntries) entries)\n"
        let groups = s.failingGroups
        for group in groups.prefix(Self.groupsShown) { out += Self.text(group) }
        let shownCases = groups.prefix(Self.groupsShown).reduce(0) { $0 + $1.count }
        if s.failures > shownCases {
            out += "  … \(s.failures - shownCases) more failing cases (the first \(FuzzSummary.findingsKept) in --json)\n"
        }
        if s.casesNotWritten > 0 {
            out +=
                "  \(s.casesNotWritten) more failing cases (\(s.fixturesNotWritten) fixtures) were found but not written: "
                + "at most \(FixtureQuota.perKind) fixtures of each kind of mistake\n"
        }
        out += errorsText
        for f in s.declinedCases.prefix(3) { out += "  iteration \(f.iteration) declined: \(f.message)\n" }
        for f in s.oracleUnusableCases.prefix(3) { out += "  iteration \(f.iteration), layers \(f.layers): \(f.message)\n" }
        if !s.fixtures.isEmpty {
            // Merged shards may have written to a folder each.
            var folders: [String] = []
            for folder in s.fixtures.map({ ($0 as NSString).deletingLastPathComponent }) where !folders.contains(folder) { folders.append(folder) }
            let place = folders.count == 1 ? "\(folders[0])/" : "\(folders.count) folders (\(folders.map { $0 + "/" }.joined(separator: ", ")))"
            out += "fixtures: \(s.fixtures.count) in \(place) (replay: gradfuzz replay FILE…)\n"
        }
        out += coverageTable
        if let note = s.mostlyDeclined { out += "note: \(note)\n" }
        return out
    }

    /// Failing-case groups listed, at most.
    static let groupsShown = 10

    /// Failing cases that shrank to the same fixture: the first as drawn, the others counted.
    static func text(_ group: [FuzzSummary.Finding]) -> String {
        let f = group[0]
        let others = group.dropFirst().map { String($0.iteration) }
        let listed = others.prefix(8).joined(separator: ", ") + (others.count > 8 ? ", …" : "")
        let more = others.isEmpty ? "" : " and \(others.count) more shrinking to the same fixture (\(listed))"
        var out =
            "  iteration \(f.iteration)\(more): layers \(f.layers), batch \(f.batch), \(f.activations.map(\.rawValue).joined(separator: ",")) + \(f.loss.rawValue)\n"
        out += "    \(f.message)\n"
        let shrunk = f.shrunkLayers.map { "shrunk to layers \($0), batch \(f.shrunkBatch ?? 0)" } ?? "as drawn"
        if let path = f.fixture {
            out += "    \(shrunk): \(path)\n"
        } else if let why = f.fixtureError {
            out += "    \(shrunk), no fixture: \(why)\n"
        }
        // The diagnosis is the shrunk case's: the fixture's, as validate and replay would say it.
        for line in f.diagnosis ?? [] { out += "      diagnosis: \(line)\n" }
        return out
    }

    /// The errors: how many, the first, and what the program wrote on stderr before it failed.
    var errorsText: String {
        guard let first = summary.errorCases.first else { return "" }
        var out = "errors: \(summary.errors) cases where the program failed without an answer (no fixture written for them)\n"
        out += "  first, iteration \(first.iteration): \(first.message)\n"
        if let stderr = first.errorOutput {
            out += "  its error output (last lines):\n"
            out += stderr.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n") + "\n"
        }
        return out
    }

    /// Rows: activations (in any layer); columns: losses; cells "checked/failed" (declined cases
    /// are not counted). Only the family's activations and losses when a family is stated.
    var coverageTable: String {
        let losses = summary.coverageLosses, activations = summary.coverageActivations
        func cell(_ f: Activation, _ loss: Loss) -> String {
            guard let c = summary.coverage.first(where: { $0.activation == f && $0.loss == loss }) else { return "-" }
            let family = summary.distribution.family
            let drawn = family.drawableLosses.contains(loss) && family.anyLayerActivations.contains(f)
            return c.checked == 0 && c.declined == 0 && !drawn ? "-" : "\(c.checked)/\(c.failed)"
        }
        let firstWidth = activations.map(\.rawValue.count).max()! + 2
        let widths = losses.map { loss in max(loss.rawValue.count, activations.map { cell($0, loss).count }.max()!) + 2 }
        func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
            let space = String(repeating: " ", count: max(0, width - text.count))
            return left ? text + space : space + text
        }
        var out = "coverage (activation in any layer × loss: cases checked/failed, declined cases not counted; -: not drawn):\n"
        out += pad("", firstWidth, left: true) + zip(losses, widths).map { pad($0.rawValue, $1) }.joined() + "\n"
        for f in activations {
            out += pad(f.rawValue, firstWidth, left: true) + zip(losses, widths).map { pad(cell(f, $0), $1) }.joined() + "\n"
        }
        return out
    }
}

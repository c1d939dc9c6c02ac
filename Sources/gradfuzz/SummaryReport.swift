import Foundation
import GradFuzz

/// The end-of-run summary as text: counts, networks by depth, failures and the coverage table.
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
        if s.oracleUnusable > 0 { out += ", \(s.oracleUnusable) not checked (the oracle had no finite value)" }
        out += "\n"
        out += "entries checked: \(s.entriesChecked); not checkable at a kink: \(s.entriesNotCheckableAtKinks)\n"
        out += "failures: \(s.failures) cases (\(s.failingEntries) entries)\n"
        for f in s.failed.prefix(10) {
            out +=
                "  iteration \(f.iteration): layers \(f.layers), batch \(f.batch), \(f.activations.map(\.rawValue).joined(separator: ",")) + \(f.loss.rawValue)\n"
            out += "    \(f.message)\n"
            if let path = f.fixture {
                out += "    shrunk to layers \(f.shrunkLayers ?? []), batch \(f.shrunkBatch ?? 0): \(path)\n"
            } else if let why = f.fixtureError {
                out += "    no fixture: \(why)\n"
            }
        }
        if s.failed.count > 10 { out += "  … \(s.failures - 10) more failing cases (the first \(FuzzSummary.findingsKept) in --json)\n" }
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

    /// Rows: activations (in any layer); columns: losses; cells "checked/failed" (declined cases are not counted).
    var coverageTable: String {
        let losses = Loss.allCases, activations = Activation.allCases
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

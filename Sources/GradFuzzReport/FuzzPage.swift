import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzFuzzing
import GradFuzzJudging
import GradFuzzOracle
import GradFuzzStudents

/// The report of a fuzzing run as one HTML page: the run's figures, the coverage table as a heatmap
/// (activation in any layer × loss, the family's only when one is stated: cases, with the failures
/// marked), histograms of depth and of layer width, the failing cases (those that shrank to one
/// fixture on one row, with their diagnosis), the errors with the program's error output, and each
/// fixture's heatmaps and the command that replays it.
public struct FuzzPage: Sendable {
    /// Failing cases replayed and drawn, at most (the lowest iterations); the others are listed.
    public static let drawnCases = 20

    public var summary: FuzzSummary
    /// The failing cases' shrunk fixtures, replayed against the oracle.
    public var sections: [FixtureSection]

    public init(summary: FuzzSummary, sections: [FixtureSection]) {
        self.summary = summary
        self.sections = sections
    }

    /// The run's report, with the first `limit` failing cases' fixtures replayed by `implementation`
    /// (before it is closed) against a fresh oracle, each judged by its stored tolerance as replay
    /// judges it (`Replay`).
    public static func build(
        _ summary: FuzzSummary, implementation: any BackpropImplementation, cost: CostCheck = .compared,
        limit: Int = FuzzPage.drawnCases
    ) async -> FuzzPage {
        var files: [URL] = [], seen: Set<String> = []
        for finding in summary.failed {
            guard files.count < limit else { break }
            guard let path = finding.fixture, seen.insert(path).inserted else { continue }
            files.append(URL(fileURLWithPath: path))
        }
        // This run's own fixtures, storing the run's tolerance: already vetted (or asked for) by its flags.
        let options = Validation.Options(cost: cost, allowsLooseTolerance: true)
        let report = await Replay.run(files, implementation: implementation, options: options)
        return FuzzPage(summary: summary, sections: ValidationPage(report, replay: true).sections)
    }

    public var html: String {
        let s = summary
        var w = HTMLWriter()
        w.element("h1", "gradfuzz fuzz: \(s.implementation)")
        let state = s.interrupted ? " (interrupted)" : ""
        w.element(
            "p", ["class": "meta"],
            "seed \(s.seed) · \(s.iterationsRun) of \(s.iterationsPlanned) iterations\(state)"
                + (s.shard.count > 1 ? " · shard \(s.shard)" : "")
                + " · \(String(format: "%.1f", s.elapsedSeconds)) s (\(Int(s.casesPerSecond.rounded())) cases/s)")
        w.element("p", ["class": "meta"], "distribution: \(s.distribution.summary)")
        var figures = "cases: \(s.checked) checked (\(s.passed) passed, \(s.failures) failed), \(s.declined) declined by the program; "
        if s.errors > 0 { figures += "\(s.errors) errors (the program failed without an answer); " }
        figures += "\(s.entriesChecked) entries checked, \(s.entriesNotCheckableAtKinks) not checkable at a kink; "
        figures += "failures: \(s.failures) case\(s.failures == 1 ? "" : "s") (\(s.failingEntries) entries)"
        if s.oracleUnusable > 0 { figures += "; oracle without a finite value: \(s.oracleUnusable) cases" }
        let bad = s.failures > 0 || s.errors > 0
        w.element("p", ["class": bad ? "o-fail" : "o-pass"], (bad ? "✕ " : "✓ ") + figures)
        if let why = s.stoppedBecause { w.element("p", ["class": "o-fail"], "stopped: " + why) }

        if let note = s.mostlyDeclined { w.element("p", ["class": "meta"], "note: " + note) }
        w.element("h3", "Coverage: activation in any layer × loss (checked cases)")
        coverage(&w)
        w.element("h3", "Shapes drawn")
        w.raw(Self.histogram(title: "networks by depth L", counts: s.networksByDepth, axis: "depth"))
        w.raw(Self.histogram(title: "layers by width m_l (every layer of every network)", counts: s.layersByWidth, axis: "width"))

        w.element("h3", "Failing cases")
        failures(&w)
        errors(&w)
        if !sections.isEmpty {
            w.raw(PageShell.legend)
            w.raw(
                "<div class=\"tools\"><button type=\"button\" data-fold=\"open\" hidden>Expand all cases</button><button type=\"button\" data-fold=\"close\" hidden>Collapse all</button></div>"
            )
            for (index, section) in sections.enumerated() { ValidationPage.write(section, index: index, into: &w) }
        }
        let checked = sections.reduce(0) { $0 + $1.checked }
        return PageShell.document(
            title: "gradfuzz fuzz: \(s.implementation), seed \(s.seed)",
            bodyAttributes: [
                ("data-expected", "GSL oracle"), ("data-checked", "\(checked)"),
                ("data-fixtures", "\(sections.count)"),
            ], body: w.text)
    }

    func coverage(_ w: inout HTMLWriter) {
        let s = summary
        let most = max(1, s.coverage.map(\.checked).max() ?? 1)
        w.element(
            "p", ["class": "meta"],
            "Each cell: cases checked (answered and judged; declined cases are not counted) whose network has the activation in some layer and whose loss is the column's; "
                + "shaded by the number of cases (log scale); a cell with failures is outlined and marked ✕. – : not drawn.")
        w.raw("<table class=\"cov\"><thead><tr><th>activation \\ loss</th>")
        for loss in s.coverageLosses { w.element("th", loss.rawValue) }
        w.raw("</tr></thead><tbody>")
        for f in s.coverageActivations {
            w.raw("<tr class=\"act\"><th>\(HTML.escape(f.rawValue))</th>")
            for loss in s.coverageLosses {
                guard let c = s.coverage.first(where: { $0.activation == f && $0.loss == loss }), c.checked > 0 else {
                    w.raw("<td class=\"c none\" title=\"not drawn or not checked\">–</td>")
                    continue
                }
                let alpha = 0.08 + 0.5 * log(1 + Double(c.checked)) / log(1 + Double(most))
                let tip = "\(f.rawValue) × \(loss.rawValue): \(c.checked) cases checked, \(c.failed) failed, \(c.declined) declined"
                w.raw(
                    "<td class=\"c\(c.failed > 0 ? " f" : "")\" style=\"background:rgba(60,110,200,\(String(format: "%.2f", alpha)))\" title=\"\(HTML.escape(tip))\">"
                )
                w.raw("\(c.checked)" + (c.failed > 0 ? "<br>✕ \(c.failed) failed" : ""))
                w.raw("</td>")
            }
            w.raw("</tr>")
        }
        w.raw("</tbody></table>")
    }

    func failures(_ w: inout HTMLWriter) {
        let s = summary
        guard !s.failed.isEmpty else {
            w.element("p", "No failing case.")
            return
        }
        w.raw(
            "<table class=\"failures\"><thead><tr><th>iteration</th><th>cases</th><th>drawn</th><th>first wrong entry</th><th>shrunk to</th><th>diagnosis (of the shrunk case)</th><th>fixture</th></tr></thead><tbody>"
        )
        // Cases that shrank to the same fixture: one row, the first drawn, with their number.
        for group in s.failingGroups {
            let f = group[0]
            // Replay names a file by its absolute path; the summary as --out gave it (perhaps relative).
            let absolute = f.fixture.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            let index = sections.firstIndex { URL(fileURLWithPath: $0.file).standardizedFileURL.path == absolute }
            let iterations = group.map { String($0.iteration) }
            w.raw("<tr><td class=\"n\" title=\"\(HTML.escape(iterations.joined(separator: ", ")))\">\(f.iteration)</td>")
            w.raw("<td class=\"n\">\(group.count)</td>")
            w.element("td", "layers \(f.layers), batch \(f.batch); \(f.activations.map(\.rawValue).joined(separator: ", ")) + \(f.loss.rawValue)")
            w.element("td", f.message)
            w.element("td", f.shrunkLayers.map { "layers \($0), batch \(f.shrunkBatch ?? 0)" } ?? "–")
            w.open("td")
            for line in f.diagnosis ?? [] { w.element("p", line) }
            w.raw("</td>")
            w.open("td")
            if let path = f.fixture {
                if let index { w.element("a", ["href": "#" + ValidationPage.anchor(index)], path) } else { w.element("code", path) }
            } else {
                w.text(f.fixtureError ?? "–")
            }
            w.raw("</td></tr>")
        }
        w.raw("</tbody></table>")
        if s.failures > s.failed.count {
            w.element(
                "p", ["class": "meta"],
                "… and \(s.failures - s.failed.count) more failing cases (the report keeps the lowest \(FuzzSummary.findingsKept) iterations)")
        }
        if s.casesNotWritten > 0 {
            w.element(
                "p", ["class": "meta"],
                "\(s.casesNotWritten) more failing cases (\(s.fixturesNotWritten) fixtures) were found but not written: "
                    + "at most \(FixtureQuota.perKind) fixtures of each kind of mistake.")
        }
        let undrawn = Set(s.failed.compactMap(\.fixture)).count - sections.count
        if undrawn > 0 { w.element("p", ["class": "meta"], "The first \(sections.count) fixtures are drawn below; \(undrawn) more are listed above.") }
    }

    /// The errors: how many, the first, and what the program wrote on stderr before it failed.
    func errors(_ w: inout HTMLWriter) {
        let s = summary
        guard let first = s.errorCases.first else { return }
        w.element("h3", "Errors")
        w.element(
            "p", ["class": "o-fail"],
            "\(s.errors) case\(s.errors == 1 ? "" : "s") where the program failed without an answer to judge (no fixture written for them); "
                + "first, iteration \(first.iteration): \(first.message)")
        if let output = first.errorOutput {
            w.element("p", ["class": "meta"], "Its error output (last lines):")
            w.element("pre", output)
        }
    }

    /// A bar chart of `counts` (index 0 unused), binned to at most 48 bars.
    static func histogram(title: String, counts: [Int], axis: String) -> String {
        let values = Array(counts.dropFirst())
        let last = (values.lastIndex { $0 > 0 } ?? 0) + 1
        let bin = max(1, (last + 47) / 48)
        let bars = stride(from: 0, to: last, by: bin).map { start in
            (label: bin == 1 ? "\(start + 1)" : "\(start + 1)–\(min(start + bin, last))", count: values[start..<min(start + bin, last)].reduce(0, +))
        }
        let most = max(1, bars.map(\.count).max() ?? 1)
        let barWidth = bars.count > 24 ? 14 : 24, height = 110
        let width = max(120, bars.count * barWidth + 10)
        var out = "<figure class=\"hist\"><figcaption>\(HTML.escape(title))</figcaption>"
        out +=
            "<svg width=\"\(width)\" height=\"\(height + 30)\" role=\"img\" aria-label=\"\(HTML.escape(title + ": " + bars.map { "\(axis) \($0.label): \($0.count)" }.joined(separator: ", ")))\">"
        for (i, bar) in bars.enumerated() {
            let h = Double(height - 14) * Double(bar.count) / Double(most)
            let x = 5 + i * barWidth, y = Double(height) - h
            out +=
                "<rect x=\"\(x)\" y=\"\(String(format: "%.1f", y))\" width=\"\(barWidth - 3)\" height=\"\(String(format: "%.1f", h))\"><title>\(HTML.escape("\(axis) \(bar.label): \(bar.count)"))</title></rect>"
            if bars.count <= 24 || i % 4 == 0 {
                out += "<text x=\"\(x + (barWidth - 3) / 2)\" y=\"\(height + 12)\" text-anchor=\"middle\">\(bar.label)</text>"
            }
            if bars.count <= 24 && bar.count > 0 {
                out += "<text x=\"\(x + (barWidth - 3) / 2)\" y=\"\(String(format: "%.1f", y - 3))\" text-anchor=\"middle\">\(bar.count)</text>"
            }
        }
        out += "<text x=\"\(width / 2)\" y=\"\(height + 27)\" text-anchor=\"middle\">\(HTML.escape(axis))</text></svg></figure>"
        return out
    }

    public func write(to path: String) throws(OutputFileError) {
        try OutputFile.write(Data(html.utf8), to: path)
    }
}

import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzJudging
import GradFuzzMutants
import GradFuzzOracle
import GradFuzzStudents

/// The report of `gradfuzz validate` and `gradfuzz replay` as one HTML page: a summary table, one
/// row per fixture linking to its section; then per fixture the network as a strip of layers and,
/// layer by layer from the output down, heatmaps of dW, db and delta, with the diagnosis beside the
/// first wrong layer.
public struct ValidationPage: Sendable {
    public var title: String
    /// What the expected values are: "reference" (a fixture's stored values) or "GSL oracle".
    public var expectedFrom: String
    /// Lines under the title (the implementation, the totals, the time).
    public var meta: [String]
    public var sections: [FixtureSection] = []
    /// The fixtures skipped as outside the family, each with the reason: listed under the summary.
    public var outside: [OutsideFamily] = []

    public init(title: String, expectedFrom: String, meta: [String] = [], sections: [FixtureSection] = []) {
        self.title = title
        self.expectedFrom = expectedFrom
        self.meta = meta
        self.sections = sections
    }

    /// The report of `gradfuzz validate` (answers against the fixtures' reference values) or
    /// `gradfuzz replay` (against the GSL oracle): each result beside the problem it was on.
    /// `againstOracle` says what validate held answers against (the reference unless it is set).
    public init(_ report: ValidationReport, replay: Bool = false, againstOracle: Bool = false) {
        self.init(
            title: "gradfuzz \(replay ? "replay" : "validate"): \(report.implementation)",
            expectedFrom: replay || againstOracle ? "GSL oracle" : "reference",
            meta: ["checked in \(String(format: "%.2f", report.seconds)) s"]
                + (report.cannotStart.map { ["the program could not be started: \($0)"] } ?? [])
        )
        outside = report.outside
        sections =
            report.unusable.map { FixtureSection(id: ($0.file as NSString).lastPathComponent, file: $0.file, outcome: .error, summary: $0.why) }
            + report.results.map(FixtureSection.init)
    }

    /// The anchor of fixture `index` (0-based), and of its layer `l`.
    static func anchor(_ index: Int) -> String { "fx-\(index + 1)" }
    static func anchor(_ index: Int, layer: Int) -> String { "fx-\(index + 1)-l\(layer)" }

    public var html: String {
        let checked = sections.reduce(0) { $0 + $1.checked }
        var w = HTMLWriter()
        w.element("h1", title)
        for line in meta { w.element("p", ["class": "meta"], line) }
        if !outside.isEmpty {
            w.element("details", ["class": "meta outside"]) { w in
                w.element("summary", "\(outside.count) outside the family (skipped, not run): which, and why")
                w.element("ul") { w in
                    for o in outside {
                        w.element("li") { w in
                            w.element("code", o.id); w.text(" — " + o.why)
                        }
                    }
                }
            }
        }
        let counts = Outcome.allCases.filter { $0 != .notRun || sections.contains { $0.outcome == .notRun } }
            .map { o in "\(sections.count { $0.outcome == o }) \(Self.word(o))" }
        w.element(
            "p", ["class": "meta"],
            "\(sections.count) fixture\(sections.count == 1 ? "" : "s"): \(counts.joined(separator: ", ")); "
                + "\(checked) entries checked, \(sections.reduce(0) { $0 + $1.wrong }) wrong; expected values: \(expectedFrom == "reference" ? "each fixture's reference values" : "the GSL oracle's")"
        )
        w.raw(PageShell.legend)
        summaryTable(&w)
        w.raw(
            "<div class=\"tools\"><button type=\"button\" data-fold=\"open\" hidden>Expand all fixtures</button><button type=\"button\" data-fold=\"close\" hidden>Collapse all</button></div>"
        )
        for (index, section) in sections.enumerated() { Self.write(section, index: index, into: &w) }
        return PageShell.document(
            title: title,
            bodyAttributes: [
                ("data-expected", expectedFrom), ("data-checked", "\(checked)"),
                ("data-fixtures", "\(sections.count)"),
            ], body: w.text)
    }

    static func word(_ outcome: Outcome) -> String {
        switch outcome {
        case .pass: return "passed"
        case .fail: return "failed"
        case .unsupported: return "unsupported"
        case .error: return "error"
        case .notRun: return "not run"
        }
    }

    static func badge(_ outcome: Outcome) -> String {
        let text = ["pass": "✓ PASS", "fail": "✕ FAIL", "unsupported": "– UNSUPPORTED", "error": "! ERROR", "not run": "· NOT RUN"][outcome.rawValue] ?? ""
        return "<span class=\"o o-\(outcome.rawValue)\">\(text)</span>"
    }

    func summaryTable(_ w: inout HTMLWriter) {
        w.raw(
            "<table class=\"summary\"><thead><tr><th>fixture</th><th>outcome</th><th>entries wrong</th><th>first wrong layer</th><th>diagnosis</th></tr></thead><tbody>\n"
        )
        for (index, s) in sections.enumerated() {
            w.raw("<tr class=\"row-\(s.outcome.rawValue)\"><td>")
            w.element("a", ["href": "#" + Self.anchor(index)], s.id)
            w.raw("</td><td>\(Self.badge(s.outcome))</td>")
            if s.matrices.isEmpty {
                w.raw("<td class=\"n\">–</td><td class=\"n\">–</td>")
            } else {
                w.raw("<td class=\"n\">\(s.wrong) of \(s.checked)</td>")
                w.raw("<td class=\"n\">" + (s.firstWrongLayer.map { "\($0) of \(s.problem?.network.depth ?? 0)" } ?? "–") + "</td>")
            }
            w.open("td")
            if s.outcome == .pass {
                w.text("")
            } else if let mutant = s.mistake {
                w.element("code", mutant.name)
                w.text(": " + mutant.mistake)
            } else if let first = s.diagnosis.first {
                w.text(first)
            } else {
                w.text(s.summary)
            }
            w.raw("</td></tr>\n")
        }
        w.raw("</tbody></table>\n")
    }

    /// One fixture's section: folded when it passed.
    static func write(_ s: FixtureSection, index: Int, into w: inout HTMLWriter) {
        w.raw("<details class=\"fx \(s.outcome.rawValue)\" id=\"\(anchor(index))\"\(s.outcome == .pass ? "" : " open")><summary>")
        w.element("h2", s.id)
        w.raw(" " + badge(s.outcome) + " ")
        w.text(s.summary)
        w.raw("</summary>\n")
        var where_ = s.file
        if !s.description.isEmpty { where_ = s.description + " — " + s.file }
        w.element("p", ["class": "meta"], where_)
        if let problem = s.problem {
            w.raw(NetworkStrip.html(problem, firstWrongLayer: s.firstWrongLayer) { anchor(index, layer: $0) })
        }
        if let cost = s.costProblem { w.element("p", ["class": "o-fail"], "✕ " + cost) }
        for note in s.notes { w.element("p", note) }
        if s.outcome == .fail && s.firstWrongLayer == nil && !s.matrices.isEmpty { diagnosisBox(s, into: &w) }
        if let depth = s.problem?.network.depth, !s.matrices.isEmpty {
            for l in stride(from: depth, through: 1, by: -1) {
                let matrices = s.matrices.filter { $0.layer == l }
                guard !matrices.isEmpty, let problem = s.problem else { continue }
                w.raw("<div class=\"layer\" id=\"\(anchor(index, layer: l))\">")
                w.element(
                    "h3",
                    "Layer \(l): \(problem.network.activations[l - 1].rawValue), m\(subscripted(l - 1)) = \(problem.network.layers[l - 1]) → m\(subscripted(l)) = \(problem.network.layers[l])"
                        + (l == s.firstWrongLayer ? " — ✕ first wrong layer" : ""))
                for m in matrices { figure(m, into: &w) }
                if l == s.firstWrongLayer { diagnosisBox(s, into: &w) }
                w.raw("</div>\n")
            }
        }
        if let command = s.command {
            w.raw("<p>Replay: ")
            w.element("code", command)
            w.raw("</p>")
        }
        if !s.stderr.isEmpty {
            w.element("p", ["class": "meta"], "stderr (last lines):")
            w.element("pre", s.stderr)
        }
        w.raw("</details>\n")
    }

    static func subscripted(_ n: Int) -> String {
        let digits = Array("₀₁₂₃₄₅₆₇₈₉")
        return String(String(n).compactMap { $0.wholeNumberValue.map { digits[$0] } })
    }

    static func figure(_ m: HeatmapMatrix, into w: inout HTMLWriter) {
        let name: String
        switch m.quantity {
        case .dW: name = "dW — ∂Cost/∂W^(\(m.layer)), \(m.rows)×\(m.columns) (rows j, columns k)"
        case .db: name = "db — ∂Cost/∂b^(\(m.layer)), \(m.columns) entries (k)"
        case .delta, .cost: name = "delta — g^(i,\(m.layer)), \(m.rows) samples (rows i) × \(m.columns) units (k)"
        }
        var caption = m.wrong == 0 ? "all \(m.checked) within tolerance" : "✕ \(m.wrong) of \(m.checked) wrong"
        if m.count > m.checked { caption += "; \(m.count - m.checked) at a kink (hatched)" }
        if m.rows > Heatmap.maxSide || m.columns > Heatmap.maxSide { caption += "; folded into blocks, each showing its worst entry" }
        w.raw("<figure class=\"q-\(m.quantity.rawValue)\">")
        w.open("figcaption")
        w.element("b", name)
        w.raw("<br>")
        w.text(caption)
        w.close("figcaption")
        w.raw(Heatmap.svg(m))
        w.raw("</figure>")
    }

    /// The diagnosis, the catalogued mistake's fix, and the worst entries, in words.
    static func diagnosisBox(_ s: FixtureSection, into w: inout HTMLWriter) {
        w.raw("<aside class=\"diag\">")
        w.element("h4", "Diagnosis")
        for (n, finding) in s.findings.enumerated() {
            if let mutant = finding.mutant, n == s.findings.firstIndex(where: { $0.mutant != nil }) {
                w.raw("<p>")
                w.element("code", mutant.name)
                var scope = " explains " + (finding.isComplete ? "every failing matrix" : "some failing matrices")
                scope += " (\(MatrixID.describe(finding.explains)))"
                if !finding.unexplained.isEmpty { scope += "; not \(MatrixID.describe(finding.unexplained))" }
                if !finding.contradicts.isEmpty { scope += "; but it would also change \(MatrixID.describe(finding.contradicts)), which is right" }
                w.text(scope)
                w.raw("</p>")
            } else {
                w.element("p", (n == 0 ? "" : "Also: ") + finding.description)
            }
        }
        if s.findings.isEmpty { for line in s.diagnosis { w.element("p", line) } }
        if let mutant = s.mistake {
            w.raw("<p><b>The mistake:</b> ")
            w.text(mutant.mistake)
            w.raw("</p><p><b>The fix:</b> ")
            w.text(mutant.fix)
            w.raw("</p>")
        }
        var worst: [(HeatmapMatrix, Int)] = []
        for m in s.matrices { for i in 0..<m.count where m.failed[i] { worst.append((m, i)) } }
        worst.sort { $0.0.severity($0.1) > $1.0.severity($1.1) }
        if !worst.isEmpty {
            w.raw(
                "<table class=\"worst\"><thead><tr><th>worst entries</th><th>expected</th><th>got</th><th>|difference|</th><th>allowed</th></tr></thead><tbody>"
            )
            for (m, i) in worst.prefix(5) {
                w.raw("<tr><td>✕ ")
                w.text(place(m, i))
                w.raw("</td><td class=\"n mono\">\(HTML.number(m.expected[i]))</td><td class=\"n mono\">\(HTML.number(m.got[i]))</td>")
                w.raw("<td class=\"n\">\(HTML.short(abs(m.got[i] - m.expected[i])))</td><td class=\"n\">\(HTML.short(m.bound[i]))</td></tr>")
            }
            w.raw("</tbody></table>")
            if worst.count > 5 { w.element("p", ["class": "meta"], "… and \(worst.count - 5) more, marked ✕ in the heatmaps") }
        }
        w.raw("</aside>")
    }

    /// "layer 2, dW[j=0, k=3]", as the README indexes entries.
    public static func place(_ m: HeatmapMatrix, _ index: Int) -> String {
        let (r, c) = (index / m.columns, index % m.columns)
        switch m.quantity {
        case .dW: return "layer \(m.layer), dW[j=\(r), k=\(c)]"
        case .db: return "layer \(m.layer), db[k=\(c)]"
        case .delta, .cost: return "layer \(m.layer), delta[i=\(r), k=\(c)]"
        }
    }

    public func write(to path: String) throws(OutputFileError) {
        try OutputFile.write(Data(html.utf8), to: path)
    }
}

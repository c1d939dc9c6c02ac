import Foundation
import GradFuzzTestSupport
import Testing

@testable import GradFuzz
@testable import GradFuzzCore
@testable import GradFuzzFixtures
@testable import GradFuzzFuzzing
@testable import GradFuzzJudging
@testable import GradFuzzMutants
@testable import GradFuzzReport
@testable import GradFuzzStudents

// The HTML report's structure, read as text: no browser (ci/check-html-report.sh loads the pages
// in one).

/// How often `needle` occurs in `text`.
private func occurrences(_ needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
}

/// The integer values of attribute `name` in `text`, in order.
private func values(of name: String, in text: String) -> [Int] {
    text.components(separatedBy: " \(name)=\"").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
}

/// Each heatmap's SVG, from its opening tag to its end.
private func heatmaps(in html: String) -> [String] {
    html.components(separatedBy: "<svg class=\"hm\"").dropFirst().map { $0.components(separatedBy: "</svg>")[0] }
}

/// The curated set validated with a catalogued mistake as the student: most fixtures fail.
private func curatedReport(_ mutant: String = "f_instead_of_fprime") async throws -> (ValidationReport, [Validation.Case]) {
    let cases = try Validation.load([packageRoot.appendingPathComponent("fixtures/curated").path])
    let report = await Validation.run(cases, implementation: try #require(MutantCatalog.named(mutant)))
    return (report, cases)
}

@Suite struct ValidationPageTests {
    @Test func oneSummaryRowAndOneSectionPerFixtureEachLinked() async throws {
        let (report, cases) = try await curatedReport()
        let html = ValidationPage(report).html
        #expect(cases.count == CuratedFixtures.recipes.count)
        #expect(occurrences("<tr class=\"row-", in: html) == cases.count)
        #expect(occurrences("<details class=\"fx ", in: html) == cases.count)
        #expect(occurrences("<tr class=\"row-fail\">", in: html) == report.count(.fail))
        for n in 1...cases.count {
            #expect(html.contains("<a href=\"#fx-\(n)\">") && html.contains(" id=\"fx-\(n)\""), "fixture \(n) is not linked to its section")
        }
    }

    @Test func fixturesOutsideTheFamilyAreNamedWithTheReason() async throws {
        let cases = try Validation.load([packageRoot.appendingPathComponent("fixtures/curated").path])
        let report = await Validation.run(cases, implementation: ReferenceImplementation(), options: Validation.Options(family: reluSoftmax))
        let html = ValidationPage(report).html
        #expect(!report.outside.isEmpty)
        #expect(html.contains("\(report.outside.count) outside the family (skipped, not run)"), "\(html.prefix(2000))")
        for o in report.outside {
            #expect(html.contains("<li><code>\(MarkupText.escape(o.id))</code> — \(MarkupText.escape(o.why))</li>"), "\(o.id) is not listed")
        }
    }

    /// The heatmap colours each entry by its error over the verdict's own bound, a float32
    /// program's rounding included: an entry the verdict passed is never drawn as beyond its bound.
    @Test func aFloat32ProgramsEntriesAreDrawnAgainstTheBoundTheVerdictUsed() throws {
        let problem = Problem(
            network: Network(
                layers: [1, 1, 1], activations: [.sigmoid, .identity],
                W: [Matrix(rows: [[1]], columns: 1), Matrix(rows: [[10_000]], columns: 1)], b: [[13], [0]]),
            loss: .squaredError, X: Matrix(rows: [[1]], columns: 1), Y: Matrix(rows: [[9_999.9]], columns: 1))
        let fixture = Fixture(id: "saturated", description: "", origin: .curated, problem: problem, tolerance: .float32)
        let bounds = try #require(Tolerance.float32.programRounding(for: problem))
        var answer = fixture.expected.answer
        answer.db[1][0] += bounds.db[1][0, 0] / 2
        let c = Validation.Case(fixture: fixture, file: "saturated.json")
        let result = Validation.judge(answer, c, tolerance: .float32)
        #expect(result.outcome == .pass, "\(result.summary)")
        let section = FixtureSection(result)
        let db = try #require(section.matrices.first { $0.layer == 2 && $0.quantity == .db })
        #expect(db.severity(0) > 0.4 && db.severity(0) <= 1, "\(db.severity(0))")
        #expect(!Tolerance.float32.accepts(expected: fixture.expected.answer.db[1][0], got: answer.db[1][0]))
    }

    @Test func oneHeatmapCellPerEntryChecked() async throws {
        let (report, cases) = try await curatedReport()
        let html = ValidationPage(report).html
        let checked = report.results.compactMap(\.verdict).reduce(0) { $0 + $1.checked }
        let maps = heatmaps(in: html)
        #expect(maps.count == report.results.compactMap(\.verdict).reduce(0) { $0 + $1.matrices.count })
        for map in maps {
            let declared = try #require(values(of: "data-checked", in: map).first)
            #expect(occurrences("<rect class=\"cell", in: map) == declared)
            #expect(values(of: "data-cells", in: map).first == declared)
        }
        #expect(occurrences("<rect class=\"cell", in: html) == checked)
        #expect(values(of: "data-checked", in: String(html[html.range(of: "<body")!.lowerBound...].prefix(300))).first == checked)
    }

    @Test func wrongEntriesAreColouredAndCrossedAndNamedInTheTable() async throws {
        let (report, cases) = try await curatedReport()
        let html = ValidationPage(report).html
        let wrong = report.results.compactMap(\.verdict).reduce(0) { $0 + $1.failureCount }
        #expect(wrong > 0)
        #expect(occurrences("<rect class=\"cell bad\"", in: html) == wrong)
        // One ✕ (two strokes in a mark path) per wrong entry, whatever its colour.
        #expect(occurrences("l.6.6m0-.6l-.6.6", in: html) - occurrences("l.6.6m0-.6l-.6.6", in: PageShell.legend) == wrong)
        #expect(occurrences("✕ FAIL", in: html) == 2 * report.count(.fail), "a badge in the summary and in the section")
        // The diagnosis and the catalogue's fix sentence beside the first wrong layer.
        let mutant = try #require(MutantCatalog.named("f_instead_of_fprime"))
        #expect(html.contains(HTML.escape(mutant.fix)))
        #expect(html.contains("— ✕ first wrong layer</h3>"))
        let firstWrong = try #require(html.range(of: "— ✕ first wrong layer</h3>"))
        let nextLayer = html[firstWrong.upperBound...].range(of: "<div class=\"layer\"")?.lowerBound ?? html.endIndex
        #expect(html[firstWrong.upperBound..<nextLayer].contains("<aside class=\"diag\">"))
    }

    @Test func aPassingStudentHasNoWrongMark() async throws {
        let cases = try Validation.load([packageRoot.appendingPathComponent("fixtures/curated/hidden-relu.json").path])
        let report = await Validation.run(cases, implementation: ReferenceImplementation())
        let html = ValidationPage(report).html
        #expect(report.allPassed)
        #expect(
            !html.contains("class=\"cell bad\"")
                && !html.contains(
                    "<path class=\"mk"
                        + "\" d=\"M0.2")
                && !html.contains("<aside class=\"diag\">"))
        #expect(html.contains("✓ PASS"))
    }

    @Test func idsDescriptionsAndFilesAreEscaped() async throws {
        let nasty = "<script>alert(\"x\")</script>&amp;"
        var cases = testCases([nasty])
        cases[0].fixture.description = "a <b>bold</b> & \"quoted\" one"
        cases[0].file = "dir/<x>&\".json"
        let report = await Validation.run(cases, implementation: try #require(MutantCatalog.named("sign_flipped")))
        let html = ValidationPage(report).html
        #expect(!html.contains(nasty) && !html.contains("<b>bold</b>") && !html.contains("<x>"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;amp;"))
        #expect(html.contains("a &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; one"))
        #expect(html.contains("dir/&lt;x&gt;&amp;&quot;.json"))
        #expect(occurrences("<script>", in: html) == 1, "only the page's own script")
    }

    @Test func theCuratedSetsReportIsUnderFiveMegabytes() async throws {
        let (report, cases) = try await curatedReport()
        let size = ValidationPage(report).html.utf8.count
        #expect(size > 100_000 && size < 5_000_000, "\(size) bytes")
    }

    @Test func aReplayShowsTheOraclesErrorEstimateAndKinks() async throws {
        let file = packageRoot.appendingPathComponent("fixtures/curated/hidden-relu.json")
        let mutant = try #require(MutantCatalog.named("no_one_over_m"))
        let report = await Replay.run([file], implementation: mutant)
        let result = try #require(report.results.first)
        let verdict = try #require(result.verdict)
        let section = FixtureSection(result)
        let html = ValidationPage(title: "replay", expectedFrom: "GSL oracle", sections: [section]).html
        #expect(!verdict.passed && section.outcome == .fail)
        #expect(occurrences(" data-x=\"", in: html) == verdict.checked + verdict.kinks)
        #expect(occurrences("<rect class=\"kink\"", in: html) == verdict.kinks)
        #expect(html.contains("no_one_over_m"))
    }
}

@Suite struct HeatmapTests {
    /// A verdict on a problem whose first layer has `inputs` rows, with the entries of dW^(1) in
    /// `wrongRows` made wrong.
    func matrix(inputs: Int, units: Int, wrongRows: Set<Int>) -> HeatmapMatrix {
        let problem = randomProblem([inputs, units, 1], [.tanh, .identity], .squaredError, batch: 2, seed: 3)
        let expected = Reference.backprop(problem).answer
        var answer = expected
        for r in wrongRows { for c in 0..<units { answer.dW[0][r, c] += 1 } }
        let verdict = Verdict(answer: answer, expected: expected, tolerance: .float64)
        let v = verdict.matrices[0]
        return HeatmapMatrix(v, expected: expected.dW[0], got: answer.dW[0], error: nil, tolerance: .float64)
    }

    @Test func aSmallMatrixIsDrawnEntryByEntry() {
        let m = matrix(inputs: 5, units: 3, wrongRows: [2])
        let svg = Heatmap.svg(m)
        #expect(occurrences("<rect class=\"cell", in: svg) == 15)
        #expect(occurrences("<rect class=\"cell bad\"", in: svg) == 3)
        #expect(svg.contains("<rect class=\"cell bad\" x=\"0\" y=\"2\""))
        #expect(svg.contains("viewBox=\"0 0 3 5\""))
        #expect(svg.contains("aria-label=\"layer 1 dW, 5×3: 3 wrong of 15 checked\""))
    }

    @Test func aLargeMatrixIsFoldedIntoBlocksThatKeepTheirWorstEntry() {
        let m = matrix(inputs: 130, units: 2, wrongRows: [77])
        let svg = Heatmap.svg(m)
        // 130 rows fold by 3 into 44 block rows; the blocks stand for every entry.
        #expect(svg.contains("data-fold=\"3×1\"") && svg.contains("viewBox=\"0 0 2 44\""))
        #expect(occurrences("<rect class=\"cell", in: svg) == 0)
        #expect(values(of: "data-n", in: svg).reduce(0, +) == 260)
        #expect(values(of: "data-cells", in: svg).first == 260 && values(of: "data-checked", in: svg).first == 260)
        // Row 77 is in block row 25; its blocks are wrong and name it as their worst entry.
        #expect(occurrences("<rect class=\"blk bad\"", in: svg) == 2)
        #expect(svg.contains("<rect class=\"blk bad\" x=\"0\" y=\"25\"") && svg.contains("data-r=\"77\" data-c=\"0\" data-n=\"3\" data-w=\"1\""))
    }

    @Test func theColourScaleIsViridisFromLightToDarkOnALogScale() {
        #expect(ColourScale.colour(severity: 1.0001) == "#fde725")
        #expect(ColourScale.colour(severity: 1e6) == "#440154" && ColourScale.colour(severity: .infinity) == "#440154")
        #expect(ColourScale.position(severity: 1e3) == 0.5)
        let positions = [2.0, 10, 1e2, 1e4, 1e5].map(ColourScale.position)
        #expect(positions == positions.sorted() && Set(positions).count == positions.count)
    }

    @Test func escapingCoversMarkupQuotesAndControlCharacters() {
        #expect(HTML.escape("<a href=\"x\">&'</a>") == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;")
        #expect(HTML.escape("red \u{1B}[31m") == "red \\u{1B}[31m")
    }
}

@Suite struct FuzzPageTests {
    @Test func coverageHistogramsAndEachFailingCaseDrawn() async throws {
        let directory = try temporaryDirectory("fuzz-page")
        defer { try? FileManager.default.removeItem(at: directory) }
        let implementation = try #require(MutantCatalog.named("no_one_over_m"))
        let summary = await Fuzzer(
            FuzzConfiguration(
                seed: 7, iterations: 12, jobs: 2, distribution: smallCases,
                outDirectory: directory, implementation: implementation)
        ).run()
        #expect(summary.failures > 0)
        #expect(summary.layersByWidth.reduce(0, +) == summary.networksByDepth.enumerated().reduce(0) { $0 + ($1.offset + 1) * $1.element })
        let page = await FuzzPage.build(summary, implementation: implementation, limit: 3)
        let html = page.html
        #expect(page.sections.count == min(3, Set(summary.failed.compactMap(\.fixture)).count))
        #expect(page.sections.allSatisfy { $0.outcome == .fail && $0.command?.hasPrefix("gradfuzz replay ") == true })
        #expect(occurrences("<tr class=\"act\"><th>", in: html) == Activation.allCases.count, "one coverage row per activation")
        #expect(html.contains("networks by depth") && html.contains("layers by width"))
        #expect(occurrences("<rect class=\"cell", in: html) == page.sections.reduce(0) { $0 + $1.checked })
        // One row per fixture the failing cases shrank to.
        #expect(occurrences("<tr><td class=\"n\" title=", in: html) == summary.failingGroups.count)
    }
}

/// Reports go through `OutputFile` (its other cases: SafeWriteTests); a replaced report keeps its permissions.
@Suite struct ReportFileTests {
    @Test func aNewFileAndAReplacedOneKeepingItsPermissions() throws {
        let directory = try temporaryDirectory("report-file")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("r.html").path
        try OutputFile.write(Data("one".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "one")
        chmod(path, 0o600)
        try OutputFile.write(Data("two".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "two")
        var info = stat()
        stat(path, &info)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["r.html"], "no temporary file left")
    }
}

@Test(.spawnsProcesses) func replayWritesAnHTMLReportWithHTMLFlag() async throws {
    let directory = try temporaryDirectory("replay-html")
    defer { try? FileManager.default.removeItem(at: directory) }
    let html = directory.appendingPathComponent("report.html").path
    let run = try await runGradfuzz(["replay", "--mutant", "no_one_over_m", "fixtures/curated/hidden-relu.json", "--html", html], directory: packageRoot)
    #expect(run.status == 1, "\(run.stderr)")
    let text = try String(contentsOfFile: html, encoding: .utf8)
    #expect(text.hasPrefix("<!DOCTYPE html>") && text.contains("gradfuzz replay: no_one_over_m") && text.contains("✕ FAIL"))
}

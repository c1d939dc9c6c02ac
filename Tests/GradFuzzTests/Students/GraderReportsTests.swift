import Foundation
import GradFuzzFixtures
import Testing

@testable import GradFuzzStudents

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A student that passes "ok", answers "transposed" with a transposed dW, declines "unsupported",
/// prints garbage for "garbage", and for "raise" writes terminal escapes and markup to stderr, then fails.
let gradedStudent = """
    import json
    import numpy as np
    from gradfuzz_student import answer
    from student import backprop

    for line in sys.stdin:
        request = json.loads(line)
        kind = request["id"].split("-")[0]
        reply = answer(request, backprop)
        if kind == "transposed":
            reply["dW"][0] = np.array(reply["dW"][0]).T.tolist()
        elif kind == "unsupported":
            reply = {"id": request["id"], "error": "no tanh <yet> & no plans"}
        elif kind == "garbage":
            print("hello", flush=True)
            continue
        elif kind == "raise":
            sys.stderr.write("\\x1b[31mred\\x1b[0m <tag> & \\"quotes\\" \\x00\\n")
            raise SystemExit(3)
        print(json.dumps(reply), flush=True)
    """

private let ids = ["ok-1", "transposed-2", "unsupported-3", "garbage-4", "raise-5", "ok-6"]

private func gradedReport() async throws -> ValidationReport {
    let directory = try temporaryDirectory("graded")
    defer { try? FileManager.default.removeItem(at: directory) }
    let script = try pythonScript(gradedStudent, in: directory)
    return await Validation.run(testCases(ids), implementation: ExternalImplementation(command: ["python3", script], startupAllowance: testStartupAllowance))
}

/// What a JUnit file holds, as XMLParser reads it.
final class JUnitReader: NSObject, XMLParserDelegate {
    var suites: [[String: String]] = []
    var cases: [(name: String, outcome: String, message: String, text: String)] = []
    var systemErr = ""
    private var text = "", inSystemErr = false

    func parser(
        _ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        switch element {
        case "testsuites", "testsuite": suites.append(attributes)
        case "testcase": cases.append((attributes["name"] ?? "?", "pass", "", ""))
        case "failure", "error", "skipped":
            cases[cases.count - 1].outcome = element
            cases[cases.count - 1].message = attributes["message"] ?? ""
            text = ""
        case "system-err": inSystemErr = true; text = ""
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
        if ["failure", "error", "skipped"].contains(element) { cases[cases.count - 1].text = text }
        if element == "system-err" { systemErr += text; inSystemErr = false }
    }
}

@Test(.spawnsProcesses) func junitReportParsesBackWithTheRightCounts() async throws {
    let report = try await gradedReport()
    #expect(report.results.map(\.outcome) == [.pass, .fail, .unsupported, .error, .error, .pass])
    let xml = GraderReports.junit(report)
    let parser = XMLParser(data: Data(xml.utf8))
    let reader = JUnitReader()
    parser.delegate = reader
    #expect(parser.parse(), "JUnit XML does not parse: \(parser.parserError.map { "\($0)" } ?? "")\n\(xml)")
    #expect(reader.suites.count == 2)
    for suite in reader.suites {
        #expect(suite["tests"] == "6" && suite["failures"] == "1" && suite["errors"] == "2" && suite["skipped"] == "1", "\(suite)")
    }
    #expect(reader.cases.map(\.name) == ids)
    #expect(reader.cases.map(\.outcome) == ["pass", "failure", "skipped", "error", "error", "pass"])
    #expect(reader.cases[1].message.contains("is your dW transposed?"))
    #expect(reader.cases[2].message.contains("no tanh <yet> & no plans"), "markup survives escaping: \(reader.cases[2].message)")
    #expect(reader.cases[4].message.contains("exited (status 3)"))
    #expect(reader.systemErr.contains("red") && reader.systemErr.contains("<tag> & \"quotes\""), "stderr kept: \(reader.systemErr)")
}

@Test(.spawnsProcesses) func gradescopeResultsParseBackWithScores() async throws {
    let report = try await gradedReport()
    let object = try JSONSerialization.jsonObject(with: GraderReports.gradescope(report))
    let results = try #require(object as? [String: Any])
    #expect(results["score"] as? Int == 2)
    let tests = try #require(results["tests"] as? [[String: Any]])
    #expect(tests.count == 6)
    #expect(tests.map { $0["score"] as? Int } == [1, 0, 0, 0, 0, 1])
    #expect(tests.allSatisfy { $0["max_score"] as? Int == 1 && ($0["name"] as? String)?.isEmpty == false && $0["output"] is String })
    #expect(tests.map { $0["status"] as? String } == ["passed", "failed", "failed", "failed", "failed", "passed"])
    #expect((tests[1]["output"] as? String)?.contains("FAIL: \"dW[0]\": expected 3×4") == true, "\(tests[1])")
    #expect((results["output"] as? String)?.contains("6 fixtures: 2 passed, 1 failed, 1 unsupported, 2 errors") == true)
}

@Test func xmlEscapingKeepsMarkupAndDropsWhatXMLCannotHold() {
    #expect(MarkupText.escape("a<b>&\"c'\u{1B}[0m\u{0}\t\n") == "a&lt;b&gt;&amp;&quot;c&#39;\\u{1B}[0m\\u{0}\t\n")
}

@Test(.spawnsProcesses) func fixturesOutsideTheFamilyAreListedAsSkippedWithTheReason() async throws {
    let passed = try await gradedReport().results.filter { $0.outcome == .pass }
    let outside = [
        OutsideFamily(
            id: "tanh-deep", file: "fixtures/curated/tanh-deep.json", why: "activation tanh in layer 1: the family's hidden activations are relu <&> \"x\"")
    ]
    let report = ValidationReport(implementation: "student", results: passed, outside: outside, seconds: 1)
    let parser = XMLParser(data: Data(GraderReports.junit(report).utf8))
    let reader = JUnitReader()
    parser.delegate = reader
    #expect(parser.parse())
    #expect(reader.suites.allSatisfy { $0["tests"] == "3" && $0["skipped"] == "1" && $0["failures"] == "0" }, "\(reader.suites)")
    let skipped = try #require(reader.cases.first { $0.name == "tanh-deep" })
    #expect(skipped.outcome == "skipped" && skipped.message.contains("outside the family: activation tanh in layer 1"), "\(skipped)")
    #expect(skipped.message.hasSuffix("relu <&> \"x\""), "markup survives escaping: \(skipped.message)")
    // Gradescope scores only what was run, and says what was left out and why.
    let results = try #require(try JSONSerialization.jsonObject(with: GraderReports.gradescope(report)) as? [String: Any])
    #expect((results["tests"] as? [[String: Any]])?.count == 2 && results["score"] as? Int == 2)
    let output = try #require(results["output"] as? String)
    #expect(output.contains("outside the family (skipped, not run): tanh-deep (activation tanh in layer 1"), "\(output)")
}

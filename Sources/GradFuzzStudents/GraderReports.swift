import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzMutants

/// A validation report in the forms course graders read: JUnit XML and Gradescope's results.json.
/// Both are written by `OutputFile`: through a temporary file and a rename, so a grader never
/// reads half a file, and a device or FIFO (/dev/stdout) is written through.
public enum GraderReports {
    /// JUnit XML: one <testcase> per fixture, in one <testsuite>. A failure is <failure>, a
    /// misbehaving program <error>, an unsupported problem, a fixture not run or one outside the
    /// family <skipped>; each carries its one-line summary as the message and the full explanation
    /// (worst entries, maps, stderr) as its text.
    public static func junit(_ report: ValidationReport) -> String {
        let skipped = report.count(.unsupported) + report.count(.notRun) + report.outside.count
        let attributes =
            "tests=\"\(report.results.count + report.outside.count)\" failures=\"\(report.count(.fail))\" "
            + "errors=\"\(report.count(.error))\" skipped=\"\(skipped)\" time=\"\(time(report.seconds))\""
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"gradfuzz validate\" \(attributes)>\n"
        xml += "  <testsuite name=\(quoted("gradfuzz validate: " + report.implementation)) \(attributes)>\n"
        for r in report.results {
            let open = "    <testcase classname=\(quoted(classname(r.file))) name=\(quoted(r.id)) time=\"\(time(r.seconds))\""
            switch r.outcome {
            case .pass:
                xml += open + "/>\n"
            case .fail, .error, .unsupported, .notRun:
                let element = ["fail": "failure", "error": "error", "unsupported": "skipped", "not run": "skipped"][r.outcome.rawValue] ?? "error"
                xml += open + ">\n"
                xml += "      <\(element) message=\(quoted(r.summary)) type=\"\(r.outcome.rawValue)\">\(MarkupText.escape(r.explanation))</\(element)>\n"
                if !r.stderrTail.isEmpty { xml += "      <system-err>\(MarkupText.escape(r.stderrTail))</system-err>\n" }
                xml += "    </testcase>\n"
            }
        }
        for o in report.outside {
            xml += "    <testcase classname=\(quoted(classname(o.file))) name=\(quoted(o.id)) time=\"0.000\">\n"
            xml += "      <skipped message=\(quoted("outside the family: " + o.why)) type=\"outside the family\"/>\n"
            xml += "    </testcase>\n"
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    /// Gradescope's autograder results.json: a test per fixture (name, score, max_score, status,
    /// output) and the total score, one point per fixture that passes. Fixtures outside the family
    /// are not scored; the output names them and why.
    public static func gradescope(_ report: ValidationReport) -> Data {
        let tests = report.results.map { r in
            GradescopeResults.Test(
                score: r.outcome == .pass ? 1 : 0, maxScore: 1, status: r.outcome == .pass ? .passed : .failed,
                name: r.id + (r.description.isEmpty ? "" : " — " + r.description),
                output: "\(r.outcome.rawValue.uppercased()): \(r.explanation)", visibility: .visible)
        }
        var output = "gradfuzz validate \(report.implementation): \(report.summary)"
        if let why = report.cannotStart { output += "\nThe program could not be started: \(why)" }
        if !report.outside.isEmpty {
            output += "\noutside the family (skipped, not run): " + report.outside.map { "\($0.id) (\($0.why))" }.joined(separator: ", ")
        }
        return GradescopeResults(score: Double(report.count(.pass)), executionTime: report.seconds, output: output, tests: tests).json
    }

    public static func writeJUnit(_ report: ValidationReport, to path: String) throws(OutputFileError) {
        try OutputFile.write(Data(junit(report).utf8), to: path)
    }

    public static func writeGradescope(_ report: ValidationReport, to path: String) throws(OutputFileError) {
        try OutputFile.write(gradescope(report), to: path)
    }

    /// "fixtures.activations" for fixtures/activations/relu.json: JUnit viewers group by it.
    static func classname(_ file: String) -> String {
        let directory = (file as NSString).deletingLastPathComponent
        return directory.isEmpty ? "gradfuzz" : directory.replacingOccurrences(of: "/", with: ".")
    }

    static func time(_ seconds: Double) -> String { String(format: "%.3f", seconds) }

    static func quoted(_ text: String) -> String { "\"" + MarkupText.escape(text) + "\"" }
}

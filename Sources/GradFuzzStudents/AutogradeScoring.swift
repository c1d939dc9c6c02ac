import GradFuzzCore
import GradFuzzJudging

/// A validation report turned into Gradescope's results as a configuration says: a test per curated
/// fixture and per exam fixture and one for the fuzz, each with its points and visibility, and
/// outputs that never show a hidden test's expected values or the program's stderr unless the
/// configuration allows it. A submission that answered nothing (a syntax error, a crash at start, a
/// stray print, a hang) is one test worth every point, scored 0, that says what happened.
struct AutogradeScoring {
    var config: AutograderConfig
    var plan: Autograde.Plan
    var timeLimitReached: Bool

    typealias Kind = AutograderConfig.Kind

    /// The points each test of `kind` is worth: the kind's share of the total, split evenly among its
    /// tests; the shares of kinds without tests go to the others in proportion.
    func points(_ kind: Kind) -> Double {
        let present = Kind.allCases.filter { plan.count($0) > 0 }
        guard present.contains(kind) else { return 0 }
        var shares = present.map { config.points.share($0) }
        // Every present kind at share 0 (the points meant for a kind this family has none of): even shares.
        if shares.allSatisfy({ $0 == 0 }) { shares = present.map { _ in 1 } }
        let share = shares[present.firstIndex(of: kind) ?? 0]
        return config.points.total * share / shares.reduce(0, +) / Double(plan.count(kind))
    }

    /// The kind and the short name (at most 40 characters) of each fixture, by the file validation names it with.
    var names: [String: (kind: Kind, name: String)] {
        var names: [String: (Kind, String)] = [:]
        for c in plan.curated { names[c.file] = (.curated, Self.short("curated " + c.fixture.id)) }
        for (i, c) in plan.exam.enumerated() { names[c.file] = (.exam, "exam \(i + 1)") }
        return names
    }

    static func short(_ name: String) -> String { name.count <= 40 ? name : String(name.prefix(39)) + "…" }

    func isHidden(_ kind: Kind) -> Bool { config.visibility.of(kind) != .visible }

    /// What a test's output says about a result that did not pass, as much as its visibility allows.
    func output(_ r: FixtureResult, _ kind: Kind, cutOff: Bool = false) -> String {
        if cutOff {
            return "stopped while answering: the time for the whole submission (\(Self.seconds(config.timeouts.total))) ran out"
        }
        if r.outcome == .notRun {
            return timeLimitReached
                ? "not run: the time for the whole submission (\(Self.seconds(config.timeouts.total))) ran out before this test"
                : "not run: grading was interrupted before this test"
        }
        let hidden = isHidden(kind)
        var lines = [r.summary]
        if hidden && !config.showExpectedInHidden {
            // The diagnosis names the mistake; the worst entries and the cost would give the expected values away.
            lines += r.details.filter { $0.hasPrefix("diagnosis: ") || $0.hasPrefix("hint: ") }
            if r.details.contains(where: { !$0.hasPrefix("diagnosis: ") && !$0.hasPrefix("hint: ") }) {
                lines.append("(the expected values of a hidden test are not shown)")
            }
        } else {
            lines += r.details
        }
        if !r.stderrTail.isEmpty {
            if !hidden || config.showStderrInHidden {
                lines.append("stderr (last lines):")
                lines += r.stderrTail.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
            } else {
                lines.append("(the program wrote to stderr; a hidden test does not show it)")
            }
        }
        return lines.joined(separator: "\n")
    }

    func test(_ kind: Kind, _ name: String, passed: Bool, output: String) -> GradescopeResults.Test {
        let worth = points(kind)
        return GradescopeResults.Test(
            score: passed ? worth : 0, maxScore: worth, status: passed ? .passed : .failed, name: name, output: output, tags: [kind.rawValue],
            visibility: config.visibility.of(kind))
    }

    /// The fuzz's test: passed when every case drawn was answered and right.
    func fuzzTest(_ report: ValidationReport) -> (test: GradescopeResults.Test, failure: FixtureResult?)? {
        guard let planned = plan.fuzz else { return nil }
        guard let fuzz = report.fuzz else {
            let why = timeLimitReached ? "not run: the time for the whole submission ran out first" : "not run: the fixtures before it could not be run"
            return (test(.fuzz, "fuzz", passed: false, output: why), nil)
        }
        if let failure = fuzz.failure {
            let text = "a case drawn at random from the family (shrunk to the smallest that fails the same way): " + output(failure, .fuzz)
            return (test(.fuzz, "fuzz", passed: false, output: text), failure)
        }
        if timeLimitReached {
            let text =
                "\(fuzz.checked) of \(planned.cases) cases checked, all right, then the time for the whole submission (\(Self.seconds(config.timeouts.total))) ran out"
            return (test(.fuzz, "fuzz", passed: false, output: text), nil)
        }
        if let why = fuzz.stoppedBecause {
            return (test(.fuzz, "fuzz", passed: false, output: "stopped after \(fuzz.checked) of \(planned.cases) cases: \(why)"), nil)
        }
        if fuzz.unsupported > 0 {
            let text = "the program declined \(fuzz.unsupported) of \(planned.cases) cases inside the assignment's family as unsupported"
            return (test(.fuzz, "fuzz", passed: false, output: text), nil)
        }
        return (test(.fuzz, "fuzz", passed: true, output: "\(fuzz.checked) cases drawn at random from the family, all right"), nil)
    }

    func graded(_ report: ValidationReport) -> Autograde.Graded {
        let names = self.names
        var tests: [GradescopeResults.Test] = []
        var firstFailure: (test: String, diagnosis: String)?
        var judged = 0
        // The program is stopped when the time runs out: the error of the test it was answering is that.
        let lastAsked = report.results.lastIndex { $0.outcome != .notRun }
        for (i, r) in report.results.enumerated() {
            guard let (kind, name) = names[r.file] else { continue }  // the fuzz's failure: its own test below
            let passed = r.outcome == .pass
            if r.outcome == .pass || r.outcome == .fail { judged += 1 }
            let cutOff = timeLimitReached && i == lastAsked && r.outcome == .error && report.fuzz == nil
            tests.append(test(kind, name, passed: passed, output: passed ? r.summary : output(r, kind, cutOff: cutOff)))
            if !passed && firstFailure == nil { firstFailure = (name, Self.diagnosis(r)) }
        }
        if let (fuzz, failure) = fuzzTest(report) {
            tests.append(fuzz)
            if let failure { judged += 1; if firstFailure == nil { firstFailure = ("fuzz", Self.diagnosis(failure)) } }
            if fuzz.status == .passed { judged += 1 } else if firstFailure == nil { firstFailure = ("fuzz", fuzz.output) }
        }
        let family = FamilyFixtures.name(of: plan.family)
        let about = "family \(family == "family" ? plan.family.summary : family)"
        if judged == 0 {
            // Nothing was answered: one test that says why, worth every point.
            let first = report.results.first { $0.outcome != .pass }
            var why = report.cannotStart.map { "the program could not be started: \($0)" } ?? first?.summary ?? "no test could be run"
            if let first, !first.stderrTail.isEmpty, !isHidden(names[first.file]?.kind ?? .exam) || config.showStderrInHidden {
                why +=
                    "\nstderr (last lines):\n"
                    + first.stderrTail.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
            }
            if timeLimitReached { why += "\n(the time for the whole submission, \(Self.seconds(config.timeouts.total)), ran out)" }
            let text = "No test could be graded, so the score is 0: " + why
            return Autograde.Graded(
                results: GradescopeResults(
                    score: 0, executionTime: report.seconds, output: "gradfuzz (\(about)): " + text, stdoutVisibility: config.visibility.stdout,
                    tests: [.init(score: 0, maxScore: config.points.total, status: .failed, name: "submission", output: text, visibility: .visible)]),
                report: report, firstFailure: ("submission", why.split(separator: "\n").first.map(String.init) ?? why), interrupted: false)
        }
        let score = tests.reduce(0) { $0 + $1.score }
        let passed = tests.count { $0.status == .passed }
        var output = "gradfuzz (\(about)): \(passed) of \(tests.count) tests passed, \(Self.number(score)) of \(Self.number(config.points.total)) points."
        if timeLimitReached { output += " The time for the whole submission (\(Self.seconds(config.timeouts.total))) ran out: the tests not reached score 0." }
        if config.visibility.exam != .visible || config.visibility.fuzz != .visible {
            output += " Some tests are hidden until the instructor shows them."
        }
        return Autograde.Graded(
            results: GradescopeResults(
                score: score, executionTime: report.seconds, output: output, stdoutVisibility: config.visibility.stdout, tests: tests),
            report: report, firstFailure: firstFailure, interrupted: false)
    }

    /// The first line of a failure's diagnosis, or its summary.
    static func diagnosis(_ r: FixtureResult) -> String {
        if let line = r.details.first(where: { $0.hasPrefix("diagnosis: ") }) { return String(line.dropFirst("diagnosis: ".count)) }
        return r.summary
    }

    static func number(_ x: Double) -> String {
        let rounded = (x * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    static func seconds(_ s: Double) -> String { "\(number(s)) s" }
}

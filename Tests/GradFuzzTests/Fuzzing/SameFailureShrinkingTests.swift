import Foundation
import GradFuzz
import GradFuzzTestSupport
import Testing

@testable import GradFuzzFuzzing

// Shrinking keeps the failure it started from: what a written fixture shows is the mistake that was
// found, it fails for the program that produced it, and its numbers tell mistakes apart.

let updateOrderStudent = pythonExamples.appendingPathComponent("update_order_student.py").path

private func lines(_ report: ValidationReport) -> String {
    report.results.map(ValidationReport.line).joined(separator: "\n") + "\n" + report.summary
}

@Test(.spawnsProcesses) func aProgramWithABigAndASmallMistakeGetsFixturesThatKeepEach() async throws {
    let directory = try temporaryDirectory("two-mistakes")
    defer { try? FileManager.default.removeItem(at: directory) }
    let found = directory.appendingPathComponent("found")
    let run = try await runGradfuzz([
        "--impl", "python3 \(updateOrderStudent)", "--iters", "30", "--seed", "12", "--max-depth", "3",
        "--max-width", "4", "--max-batch", "3", "--out", found.path,
    ])
    #expect(run.status == 1, "status \(run.status): \(run.stdout) \(run.stderr)")
    let cases = try Validation.load([found.path])
    #expect(cases.count >= 4, "\(run.stdout)")
    // No two fixtures hold the same problem.
    for (n, c) in cases.enumerated() {
        for other in cases[(n + 1)...] where other.fixture.problem == c.fixture.problem {
            Issue.record("\(c.file) and \(other.file) hold the same problem")
        }
    }
    // Every fixture fails validate against the program that produced it.
    let both = await Validation.run(
        cases, implementation: ExternalImplementation(command: ["python3", updateOrderStudent], startupAllowance: testStartupAllowance))
    #expect(both.results.allSatisfy { $0.outcome == .fail }, "\(lines(both))")
    // The big mistake is in the error signal g; the small one only in dW.
    let bigIDs = Set(both.results.filter { $0.verdict?.matrices.contains { $0.quantity == .delta && !$0.passed } == true }.map(\.id))
    let big = cases.filter { bigIDs.contains($0.fixture.id) }, small = cases.filter { !bigIDs.contains($0.fixture.id) }
    #expect(!big.isEmpty, "no fixture kept the big mistake: \(lines(both))")
    #expect(!small.isEmpty, "no fixture of the small mistake alone: \(lines(both))")
    // Fixtures of the big mistake still fail with the small one fixed, and those of the small one with the big one fixed.
    let decayFixed = await Validation.run(
        big, implementation: ExternalImplementation(command: ["python3", updateOrderStudent, "--fix-decay"], startupAllowance: testStartupAllowance))
    #expect(decayFixed.results.allSatisfy { $0.outcome == .fail }, "\(lines(decayFixed))")
    let orderFixed = await Validation.run(
        small, implementation: ExternalImplementation(command: ["python3", updateOrderStudent, "--fix-order"], startupAllowance: testStartupAllowance))
    #expect(orderFixed.results.allSatisfy { $0.outcome == .fail }, "\(lines(orderFixed))")
    // With both fixed it is the example student, and passes every fixture.
    let fixed = await Validation.run(
        cases,
        implementation: ExternalImplementation(command: ["python3", updateOrderStudent, "--fix-order", "--fix-decay"], startupAllowance: testStartupAllowance))
    #expect(fixed.allPassed, "\(lines(fixed))")
}

let catalogCases = Distribution(depth: 1...3, width: 1...4, batch: 1...4)

/// Whether every number of a problem's X, Y, each W and each b is 0, by field.
func allZeroFields(_ p: Problem) -> [String] {
    var fields = [("X", p.X.storage), ("Y", p.Y.storage)]
    for l in p.network.W.indices { fields += [("W[\(l)]", p.network.W[l].storage), ("b[\(l)]", p.network.b[l])] }
    return fields.filter { $0.1.allSatisfy { $0 == 0 } }.map(\.0)
}

@Test(arguments: MutantCatalog.all.map(\.name))
func aCataloguedMistakeShrinksToAFixtureThatNamesItAlone(_ name: String) async throws {
    let mutant = try #require(MutantCatalog.named(name))
    let out = try temporaryDirectory("catalog-\(name)")
    defer { try? FileManager.default.removeItem(at: out) }
    let fuzzer = Fuzzer(
        FuzzConfiguration(
            seed: 11, iterations: 400, jobs: 1, distribution: catalogCases, outDirectory: out,
            implementation: mutant.onlyWhereItApplies))
    var written: URL?
    for i in 0..<400 where mutant.applies(to: fuzzer.generator.problem(iteration: i)) {
        if let candidate = await fuzzer.run(iteration: i).candidate, let url = try? fuzzer.write(candidate).get() {
            written = url
            break
        }
    }
    let url = try #require(written, "\(name): no fixture written in 400 iterations")
    let fixture = try Fixture.read(from: url)
    let p = fixture.problem
    #expect(allZeroFields(p).isEmpty, "\(name): all zero: \(allZeroFields(p)) in \(String(decoding: fixture.json(), as: UTF8.self))")
    let findings = Diagnosis.diagnose(problem: p, expected: fixture.expected.answer, answer: mutant.backprop(p), tolerance: fixture.tolerance)
    #expect(
        findings.count == 1 && findings.first?.kind == .mutant(name),
        "\(name): \(Diagnosis.describe(findings).joined(separator: "\n")) on layers \(p.network.layers), batch \(p.batchSize), \(p.network.activations) + \(p.loss)"
    )
}

/// An answer of the wrong shape is shrunk like any other failure, toward a small case that still
/// has the wrong shape: a transposed dW is one fixture's worth of mistake, not one per drawn case.
@Test(.spawnsProcesses) func anAnswerOfTheWrongShapeIsShrunkToASmallCase() async throws {
    let directory = try temporaryDirectory("wrong-shape")
    defer { try? FileManager.default.removeItem(at: directory) }
    let transposed = try mistakenStudent("dW[l] = A[l].T @ g / m", "dW[l] = (A[l].T @ g / m).T", in: directory)
    let found = directory.appendingPathComponent("found")
    let run = try await runGradfuzz(withTestStartup(["--impl", "python3 \(transposed)", "--iters", "12", "--seed", "3", "--jobs", "1", "--out", found.path]))
    #expect(run.status == 1, "\(run.stdout) \(run.stderr)")
    let cases = try Validation.load([found.path])
    #expect(!cases.isEmpty)
    for c in cases {
        let layers = c.fixture.problem.network.layers
        #expect(
            layers.count <= 3 && layers.allSatisfy { $0 <= 3 } && c.fixture.problem.batchSize == 1,
            "\(c.fixture.id): \(layers), batch \(c.fixture.problem.batchSize)")
    }
    // Shrinking makes the cases alike: far fewer fixtures than failing cases.
    let failing = run.stdout.components(separatedBy: "  iteration ").count - 1
    #expect(cases.count < failing, "\(cases.count) fixtures for \(failing) failing cases")
}

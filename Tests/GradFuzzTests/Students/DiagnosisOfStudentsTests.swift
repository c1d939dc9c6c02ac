import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzMutants
import Testing

@testable import GradFuzzStudents

/// The diagnosis of real student programs: the Python example student (Examples/python/student.py)
/// with one line replaced by a catalogued mistake, run over gradfuzz-protocol/1, must be told
/// which mistake it made; unchanged, it must be told nothing.
@Suite struct DiagnosisOfStudentsTests {
    /// (what the line becomes, the line, the problems, the finding expected first).
    static let mistakes: [(label: String, original: String, replacement: String, fixtures: [String], first: Finding.Kind)] = [
        (
            "f for f' (eq. 110 as printed)", "g = backward(activations[l - 1], Z[l - 1], A[l], g @ W[l].T)",
            "g = activate(activations[l - 1], Z[l - 1]) * (g @ W[l].T)", ["hidden-tanh", "hidden-softmax", "deep"], .mutant("f_instead_of_fprime")
        ),
        (
            "tanh' as 1 − z²", "lambda z, a: 1 - a ** 2", "lambda z, a: 1 - z ** 2", ["hidden-tanh", "saturated-tanh"],
            .mutant("tanh_prime_one_minus_z_squared")
        ),
        ("db summed", "db[l] = g.mean(axis=0)", "db[l] = g.sum(axis=0)", ["hidden-gelu"], .mutant("db_summed")),
        ("dW summed, db averaged", "dW[l] = A[l].T @ g / m", "dW[l] = A[l].T @ g", ["hidden-elu"], .factor(3)),
        (
            "softmax Jacobian diagonal", "return a * (u - (a * u).sum(axis=1, keepdims=True))", "return a * (1 - a) * u",
            ["hidden-softmax"], .mutant("softmax_jacobian_diagonal")
        ),
        (
            "log_cosh gradient r", "lambda a, y: np.tanh(a - y)", "lambda a, y: a - y", ["loss-log_cosh-after-sigmoid"],
            .mutant("log_cosh_gradient_r")
        ),
        (
            "hinge on the wrong side", "np.where(y * a < 1, -y, 0)", "np.where(y * a > 1, -y, 0)", ["loss-hinge-after-tanh"],
            .mutant("hinge_gradient_wrong_side")
        ),
        (
            "W^(l) for W^(l+1)", "g = backward(activations[l - 1], Z[l - 1], A[l], g @ W[l].T)",
            "g = backward(activations[l - 1], Z[l - 1], A[l], g @ W[l - 1].T)", ["equal-widths"], .mutant("weights_off_by_one_layer")
        ),
        ("dW transposed", "dW[l] = A[l].T @ g / m", "dW[l] = (A[l].T @ g / m).T", ["equal-widths"], .mutant("dw_transposed")),
    ]

    /// Curated fixtures by id.
    static func fixture(_ id: String) throws -> Fixture {
        return try Fixture.read(from: packageRoot.appendingPathComponent("fixtures/curated/\(id).json"))
    }

    @Test(.spawnsProcesses, arguments: mistakes.indices)
    func namesTheInjectedMistake(_ index: Int) async throws {
        let mistake = Self.mistakes[index]
        let directory = try temporaryDirectory("diagnosis")
        defer { try? FileManager.default.removeItem(at: directory) }
        let student = ExternalImplementation(
            command: ["python3", try mistakenStudent(mistake.original, mistake.replacement, in: directory)], startupAllowance: testStartupAllowance)
        for id in mistake.fixtures {
            let fixture = try Self.fixture(id)
            let answer = try await student.backprop(fixture.problem)
            let findings = Diagnosis.diagnose(problem: fixture.problem, expected: fixture.expected.answer, answer: answer, tolerance: .float64)
            let said = Diagnosis.describe(findings).joined(separator: "\n  ")
            #expect(findings.first?.kind == mistake.first, "\(mistake.label) on \(id):\n  \(said)")
            #expect(findings.first?.isComplete == true, "\(mistake.label) on \(id)")
        }
        await student.close()
    }

    @Test(.spawnsProcesses) func saysNothingToTheCorrectStudent() async throws {
        let student = ExternalImplementation(command: ["python3", exampleStudent], startupAllowance: testStartupAllowance)
        let fixtures = try Fixture.files(in: [packageRoot.appendingPathComponent("fixtures/curated").path]).map { try Fixture.read(from: $0) }
        for fixture in fixtures {
            let answer = try await student.backprop(fixture.problem)
            let findings = Diagnosis.diagnose(problem: fixture.problem, expected: fixture.expected.answer, answer: answer, tolerance: .float64)
            #expect(findings.isEmpty, "\(fixture.id): \(Diagnosis.describe(findings))")
        }
        await student.close()
    }
}

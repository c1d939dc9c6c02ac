import Foundation
import GradFuzzCore
import GradFuzzMutants
import Testing

@Suite struct MutantsCommandTests {
    @Test(.spawnsProcesses) func printsTheMutationScoreOfTheWholeCatalog() async throws {
        let run = try await runGradfuzz(["mutants", "--fixtures", packageRoot.appendingPathComponent("fixtures/curated").path])
        let rows = run.stdout.split(separator: "\n").filter { line in MutantCatalog.all.contains { line.hasPrefix($0.name + " ") } }
        #expect(rows.count == MutantCatalog.all.count, "one row per mutant:\n\(run.stdout)")
        #expect(run.stdout.contains("23 of 23 mutants killed by the fuzzer"), "\(run.stdout)")
        // Exit 0 exactly when every mutant is also caught by a curated fixture.
        let gaps = run.stdout.contains("not caught by any curated fixture")
        #expect(run.status == (gaps ? 1 : 0), "status \(run.status), stderr: \(run.stderr)")
    }

    @Test(.spawnsProcesses) func runsOneMutantWithoutFixtures() async throws {
        let run = try await runGradfuzz(["mutants", "--mutant", "softsign_prime_not_squared", "--no-fixtures", "--budget", "50", "--seed", "3"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("softsign_prime_not_squared  yes"), "\(run.stdout)")
        #expect(run.stdout.contains("[1, 1] m=1 softsign + squared_error"), "\(run.stdout)")
    }

    @Test(.spawnsProcesses) func huntsWithinAFamilyTheMistakesThatCanOccurInIt() async throws {
        let family = try #require(Family.named("sigmoid-squared-error"))
        let exam = packageRoot.appendingPathComponent("fixtures/exams/sigmoid-squared-error").path
        let run = try await runGradfuzz(["mutants", "--family", "sigmoid-squared-error", "--fixtures", exam])
        let possible = MutantCatalog.all.filter { $0.whyCannotOccur(in: family) == nil }
        let impossible = MutantCatalog.all.filter { $0.whyCannotOccur(in: family) != nil }
        #expect(!impossible.isEmpty && possible.count > 5)
        let rows = run.stdout.split(separator: "\n").filter { line in MutantCatalog.all.contains { line.hasPrefix($0.name + " ") } }
        #expect(rows.count == possible.count, "one row per mutant that can occur:\n\(run.stdout)")
        #expect(run.stdout.contains("\(possible.count) of \(possible.count) mutants killed by the fuzzer"), "\(run.stdout)")
        #expect(run.stdout.contains("cannot occur in the family: \(impossible[0].name) ("), "\(run.stdout)")
        #expect(run.status == 0, "the exam catches every mistake of its family: \(run.stdout) \(run.stderr)")
        // Only cases of the family are drawn: every shrunk case is sigmoid + squared_error.
        #expect(rows.allSatisfy { $0.contains("sigmoid + squared_error") || $0.contains("sigmoid,sigmoid") }, "\(rows.joined(separator: "\n"))")
        // A mistake that cannot occur in the family, asked for by name, is a one-line error.
        let named = try await runGradfuzz(["mutants", "--family", "sigmoid-squared-error", "--mutant", impossible[0].name, "--no-fixtures"])
        #expect(named.status == 2 && named.stderr.contains("cannot occur in the family"), "\(named.stderr)")
        #expect(named.stderr.split(separator: "\n").count == 1)
    }

    @Test(.spawnsProcesses) func fuzzesAMutantWhereItApplies() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("gradfuzz-mutant-fuzz-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try await runGradfuzz(["--mutant", "tanh_prime_one_minus_z_squared", "--iters", "20", "--seed", "1", "--jobs", "1", "--out", out.path])
        #expect(run.status == 1, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("testing tanh_prime_one_minus_z_squared against the GSL oracle"), "\(run.stdout)")
        #expect(run.stdout.contains("13 declined by the program"), "cases without a tanh layer are declined, not failed:\n\(run.stdout)")
        #expect(run.stdout.contains("shrunk to layers [1, 1], batch 1"), "\(run.stdout)")
    }

    @Test(.spawnsProcesses) func rejectsBadFlagsWithOneLine() async throws {
        for (arguments, message) in [
            (["mutants", "--mutant", "nope"], "unknown mutant \"nope\""),
            (["mutants", "--budget", "-3"], "--budget: expected a whole number ≥ 1"),
            (["mutants", "--seed", "-5"], "expected a whole number from 0 to 18446744073709551615"),
            (["mutants", "--fixtures", "/no/such/dir"], "no such file or directory"),
            (["--mutant", "nope", "--iters", "1"], "unknown mutant \"nope\""),
            (["replay", "--mutant", "nope", packageRoot.appendingPathComponent("fixtures/curated/one-neuron.json").path], "unknown mutant"),
        ] {
            let run = try await runGradfuzz(arguments)
            #expect(run.status == 2, "\(arguments): status \(run.status)")
            #expect(run.stderr.contains(message) && run.stderr.split(separator: "\n").count == 1, "\(arguments): \(run.stderr)")
        }
    }

    @Test(.spawnsProcesses) func replaysAFixtureWithAMutant() async throws {
        let fixture = packageRoot.appendingPathComponent("fixtures/curated/one-neuron.json").path
        let wrong = try await runGradfuzz(["replay", fixture, "--mutant", "sigmoid_prime_sigma_one_minus_z"])
        #expect(wrong.status == 1 && wrong.stdout.contains("FAIL"), "\(wrong.stdout)")
        let right = try await runGradfuzz(["replay", fixture])
        #expect(right.status == 0, "\(right.stdout)")
    }
}

import ArgumentParser
import Foundation
import GradFuzz

/// `gradfuzz mutants`: the mutation score. Every catalogued backprop mistake is hunted by the
/// fuzzer (fixed seed, fixed budget) and laid against the curated fixtures.
struct MutantsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mutants",
        abstract: "Show that the harness catches every catalogued backprop mistake: fuzzer kills and curated fixtures.",
        discussion: """
            For each mutant: whether the fuzzer (seed --seed) finds a case it fails within --budget cases, after how many, \
            the failing case shrunk, and which curated fixtures it fails. A kill is a case where the mutant's answer differs \
            from the reference's and fails the GSL oracle's verdict while the reference's passes. With a family (--family NAME \
            or the family options), only the mistakes that can occur in it are hunted, on cases drawn from it, and laid \
            against the fixtures inside it; the others are listed with the reason.

            Exit status: 0 every mutant killed and caught by a fixture, 1 a mutant survives, 2 usage or input error.
            """)

    @Option(parsing: .unconditional, help: "Seed of the fuzzer's cases (1 when absent).", transform: Expect.seed)
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: ArgumentHelp("Most cases drawn per mutant.", valueName: "n"))
    var budget = 200

    @Option(help: ArgumentHelp("Curated fixtures: a directory of *.json or a file (repeatable).", valueName: "path"))
    var fixtures: [String] = ["fixtures/curated"]

    @Flag(name: .customLong("no-fixtures"), help: "Do not read curated fixtures.")
    var noFixtures = false

    @Option(help: ArgumentHelp("Only this mutant (see --list).", valueName: "name"))
    var mutant: String?

    @Flag(help: "List the catalog (name, where it applies, the mistake) and exit.")
    var list = false

    @OptionGroup(title: "Family (the mistakes that can occur in it, hunted on cases drawn from it)") var familyOptions: FamilyOptions

    @Flag(help: "Name every curated fixture each mutant fails (default: the first few).")
    var verbose = false

    @Option(help: ArgumentHelp("Also write the results as JSON to this file.", valueName: "file"))
    var json: String?

    func run() async throws {
        if list {
            print(Self.catalogTable())
            return
        }
        let (score, mutants, fixtures, outside) = try setup()
        let family = familyOptions.resolved
        for note in familyOptions.droppedLossNotes { print(note) }
        print(
            "gradfuzz mutants: seed \(score.seed), at most \(score.budget) fuzzed cases per mutant"
                + (family == .all ? "" : " of the family \(family.summary)") + "; "
                + (noFixtures
                    ? "no curated fixtures"
                    : "\(fixtures.count) curated fixtures from \(self.fixtures.joined(separator: ", "))"
                        + (outside > 0 ? " (\(outside) more outside the family, not used)" : "")))
        print("")
        let results = await withTaskGroup(of: (Int, MutantResult).self) { group in
            for (n, mutant) in mutants.enumerated() {
                group.addTask { (n, await score.run(mutant, fixtures: fixtures)) }
            }
            var all: [(Int, MutantResult)] = []
            for await result in group { all.append(result) }
            return all.sorted { $0.0 < $1.0 }.map(\.1)
        }
        print(Self.table(results, fixtureCount: fixtures.count, checkFixtures: !noFixtures, verbose: verbose))
        let impossible = MutantCatalog.all.compactMap { m in m.whyCannotOccur(in: family).map { "\(m.name) (\($0))" } }
        if !impossible.isEmpty && mutant == nil { print("cannot occur in the family: " + impossible.joined(separator: "; ")) }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            do { try OutputFile.write(encoder.encode(results), to: json) } catch {
                throw ValidationError("--json: \(error)")
            }
        }
        let survivors = results.filter { !$0.killed || (!noFixtures && $0.failedFixtures.isEmpty) }
        if !survivors.isEmpty { throw ExitCode(1) }
    }

    func validate() throws {
        try Expect.whole(budget, "--budget", in: 1...Int.max)
        try Expect.path(json, "--json", "a file for the JSON results")
        try Expect.outputs([("--json", json)], inputs: noFixtures ? [] : fixtures)
        if let mutant, MutantCatalog.named(mutant) == nil {
            throw ValidationError("--mutant: unknown mutant \"\(mutant)\"; expected one of \(MutantCatalog.all.map(\.name).joined(separator: ", "))")
        }
    }

    /// The score's settings, the mutants to run (those that can occur in the family) and the
    /// fixtures inside the family, or what is wrong with them.
    func setup() throws -> (MutationScore, [Mutant], [Fixture], outside: Int) {
        let family = familyOptions.resolved
        let mutants: [Mutant]
        if let named = mutant.flatMap(MutantCatalog.named) {
            if let why = named.whyCannotOccur(in: family) {
                throw ValidationError(
                    "--mutant: \(named.name) cannot occur in the family (\(why)); expected one of \(MutantCatalog.all.filter { $0.whyCannotOccur(in: family) == nil }.map(\.name).joined(separator: ", "))"
                )
            }
            mutants = [named]
        } else {
            mutants = MutantCatalog.all.filter { $0.whyCannotOccur(in: family) == nil }
        }
        var loaded: [Fixture] = [], outside = 0
        if !noFixtures {
            do {
                for file in try Fixture.files(in: fixtures) { loaded.append(try Fixture.read(from: file, oracle: nil)) }
            } catch {
                throw ValidationError("\(error.description) (curated fixtures: --fixtures DIR, or --no-fixtures)")
            }
            if loaded.isEmpty { throw ValidationError("--fixtures: no *.json fixture in \(fixtures.joined(separator: ", "))") }
            let all = loaded.count
            loaded = loaded.filter { family.whyOutside($0.problem) == nil }
            outside = all - loaded.count
            if loaded.isEmpty {
                throw ValidationError(
                    "--fixtures: no fixture in \(fixtures.joined(separator: ", ")) is inside the family; expected its exam (fixtures/exams/NAME) or --no-fixtures"
                )
            }
        }
        return (MutationScore(seed: seed, budget: budget, distribution: Distribution(family: family)), mutants, loaded, outside)
    }

    static func table(_ results: [MutantResult], fixtureCount: Int, checkFixtures: Bool, verbose: Bool) -> String {
        let nameWidth = max(6, results.map(\.mutant.count).max() ?? 0)
        let shapes = results.map { $0.shrunkShape ?? "-" }
        let shapeWidth = max(19, shapes.map(\.count).max() ?? 0)
        func pad(_ s: String, _ width: Int) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
        var lines = [
            pad("mutant", nameWidth) + "  killed  iterations  " + pad("shrunk failing case", shapeWidth)
                + (checkFixtures ? "  curated fixtures failed" : "")
        ]
        for (result, shape) in zip(results, shapes) {
            var line =
                pad(result.mutant, nameWidth) + "  " + pad(result.killed ? "yes" : "NO", 6) + "  "
                + pad(result.iterationsToFirstFailure.map(String.init) ?? "-", 10) + "  " + pad(shape, shapeWidth)
            if checkFixtures {
                let ids = result.failedFixtures
                let shown = verbose ? ids : Array(ids.prefix(3))
                let rest = ids.count > shown.count ? ", … \(ids.count - shown.count) more" : ""
                line +=
                    "  "
                    + (ids.isEmpty
                        ? "NONE of \(fixtureCount): no curated fixture catches it"
                        : "\(ids.count)/\(fixtureCount): \(shown.joined(separator: ", "))\(rest)")
            }
            lines.append(line)
        }
        let killed = results.filter(\.killed).count
        let budgetWorst = results.compactMap(\.iterationsToFirstFailure).max() ?? 0
        lines.append("")
        lines.append(
            "\(killed) of \(results.count) mutants killed by the fuzzer"
                + (killed > 0 ? " (the slowest after \(budgetWorst) cases)" : ""))
        if checkFixtures {
            let caught = results.filter { !$0.failedFixtures.isEmpty }
            lines.append("\(caught.count) of \(results.count) mutants fail at least one of the \(fixtureCount) curated fixtures")
            let missed = results.filter { $0.failedFixtures.isEmpty }.map(\.mutant)
            if !missed.isEmpty { lines.append("not caught by any curated fixture: \(missed.joined(separator: ", "))") }
        }
        return lines.joined(separator: "\n")
    }

    static func catalogTable() -> String {
        MutantCatalog.all.map { "\($0.name)\n    mistake: \($0.mistake)\n    applies: \($0.condition)\n    fix: \($0.fix)" }
            .joined(separator: "\n")
    }
}

import ArgumentParser
import Foundation
import GradFuzz

/// `gradfuzz replay FIXTURE…`: the reference's verdict against a fresh GSL oracle, layer by layer.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-run fixtures: the reference's gradient against the GSL oracle, layer by layer.",
        discussion: "Exit status: 0 every fixture passes, 1 a fixture fails, 2 a fixture could not be read.")

    @Argument(help: "Fixture files, or directories searched for *.json.")
    var fixtures: [String]

    @Option(help: "Replay a catalogued backprop mistake instead of the reference (names: gradfuzz mutants --list).")
    var mutant: String?

    func run() async throws {
        let files: [URL]
        do { files = try Fixture.files(in: fixtures) } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        var implementation: any BackpropImplementation = ReferenceImplementation()
        if let name = mutant {
            guard let chosen = MutantCatalog.named(name) else {
                printError("--mutant: unknown mutant \"\(name)\"; expected one of \(MutantCatalog.all.map(\.name).joined(separator: ", "))")
                throw ExitCode(2)
            }
            implementation = chosen
        }
        var (failed, unreadable) = (0, 0)
        for file in files {
            let fixture: Fixture
            do { fixture = try Fixture.read(from: file) } catch {
                printError(error.description)
                unreadable += 1
                continue
            }
            let answer: Answer
            do { answer = try await implementation.backprop(fixture.problem) } catch {
                printError("\(file.path): \(implementation.name) gave no answer: \(error)")
                unreadable += 1
                continue
            }
            let verdict = Verdict(answer: answer, oracle: Oracle().differentiate(fixture.problem))
            print("\(file.path): \(fixture.id) — \(verdict.passed ? "PASS" : "FAIL")"
                  + " (\(verdict.checked) entries checked, \(verdict.kinks) not checkable at a kink)")
            print(verdict.table())
            if !verdict.passed {
                failed += 1
                print(verdict.failureDetails())
            }
            print("")
        }
        print("\(files.count - failed - unreadable) passed, \(failed) failed" + (unreadable > 0 ? ", \(unreadable) unreadable" : ""))
        if unreadable > 0 { throw ExitCode(2) }
        if failed > 0 { throw ExitCode(1) }
    }
}

/// A message on standard error, as every command reports bad input.
func printError(_ message: String) {
    FileHandle.standardError.write(Data(("gradfuzz: " + message + "\n").utf8))
}

import ArgumentParser
import Foundation
import GradFuzz

/// `gradfuzz replay FIXTURE…`: the reference's (or --impl's, or --mutant's) verdict against a fresh
/// GSL oracle, layer by layer.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-run fixtures: an implementation's gradient (the reference by default) against the GSL oracle, layer by layer.",
        discussion: "Exit status: 0 every fixture passes, 1 a fixture fails, 2 a fixture could not be read or the program could not answer.")

    @Argument(help: "Fixture files, or directories searched for *.json.")
    var fixtures: [String]

    @OptionGroup var implementationOptions: ImplementationOptions

    func run() async throws {
        let files: [URL]
        let implementation: any BackpropImplementation
        do {
            files = try Fixture.files(in: fixtures)
            implementation = try implementationOptions.implementation().0
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        var (failed, unsupported, unusable) = (0, 0, 0)
        for file in files {
            let fixture: Fixture
            do { fixture = try Fixture.read(from: file) } catch {
                printError(error.description)
                unusable += 1
                continue
            }
            let answer: Answer
            do { answer = try await implementation.backprop(fixture.problem, id: fixture.id) } catch {
                let failure = AnswerFailure(error)
                switch failure.kind {
                case .unsupported:
                    print("\(file.path): \(fixture.id) — UNSUPPORTED (\(failure.message))\n")
                    unsupported += 1
                case .wrongAnswer:
                    print("\(file.path): \(fixture.id) — FAIL (\(failure.message))\n")
                    failed += 1
                case .misbehaved, .cannotStart, .unresponsive:
                    printError("\(file.path): \(implementation.name) gave no answer: \(failure.message)")
                    unusable += 1
                }
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
        await implementation.close()
        let passed = files.count - failed - unsupported - unusable
        print("\(passed) passed, \(failed) failed" + (unsupported > 0 ? ", \(unsupported) unsupported" : "")
              + (unusable > 0 ? ", \(unusable) unusable" : ""))
        if unusable > 0 { throw ExitCode(2) }
        if failed > 0 { throw ExitCode(1) }
    }
}

/// A message on standard error, as every command reports bad input.
func printError(_ message: String) {
    FileHandle.standardError.write(Data(("gradfuzz: " + message + "\n").utf8))
}

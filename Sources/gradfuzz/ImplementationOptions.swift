import ArgumentParser
import Foundation
import GradFuzz

/// --impl and --mutant (and the program's --timeout and --startup), shared by `fuzz` and `replay`:
/// which backprop is under test.
struct ImplementationOptions: ParsableArguments {
    @Option(
        name: .customLong("impl"),
        help: ArgumentHelp("Test an external program speaking gradfuzz-protocol/1 instead of the reference.", valueName: "'command'"))
    var externalCommand: String?

    @Option(
        help: ArgumentHelp(
            "Test a catalogued backprop mistake instead of the reference, on the cases where it applies (names: gradfuzz mutants --list).",
            valueName: "name"))
    var mutant: String?

    @OptionGroup var timeouts: TimeoutOptions

    func validate() throws {
        if externalCommand != nil && mutant != nil { throw ValidationError("--impl: give --impl or --mutant, not both") }
        if let externalCommand, ShellWords.split(externalCommand).isEmpty {
            throw ValidationError("--impl: expected a command, e.g. 'python3 student.py'")
        }
        if let mutant, MutantCatalog.named(mutant) == nil {
            throw ValidationError("--mutant: unknown mutant \"\(mutant)\"; expected one of \(MutantCatalog.all.map(\.name).joined(separator: ", "))")
        }
    }

    /// The files the --impl command names (its program, its arguments): inputs no report may replace.
    var programFiles: [String] {
        (externalCommand.map(ShellWords.split) ?? []).filter { FileManager.default.fileExists(atPath: $0) }
    }

    /// The implementation under test and the command that replays a fixture with it (written into
    /// each fixture the fuzzer finds): the reference, an external program, or a catalogued mistake
    /// that declines (as unsupported) the problems where it changes nothing.
    func implementation() -> (any BackpropImplementation, @Sendable (String) -> String) {
        if let externalCommand {
            let program = ExternalImplementation(
                command: ShellWords.split(externalCommand), timeout: timeouts.answerTimeout,
                startupAllowance: timeouts.startupAllowance)
            let quoted = ShellWords.quoted([externalCommand])
            return (program, { "gradfuzz replay \(ShellWords.quoted([$0])) --impl \(quoted)" })
        }
        if let name = mutant, let chosen = MutantCatalog.named(name) {
            return (chosen.onlyWhereItApplies, { "gradfuzz replay \(ShellWords.quoted([$0])) --mutant \(name)" })
        }
        return (ReferenceImplementation(), { "gradfuzz replay \(ShellWords.quoted([$0]))" })
    }
}

import ArgumentParser
import GradFuzz

/// --impl and --mutant, shared by `fuzz` and `replay`: which backprop is under test.
struct ImplementationOptions: ParsableArguments {
    @Option(name: .customLong("impl"), help: "Test an external program speaking gradfuzz-protocol/1 (e.g. 'python3 student.py') instead of the reference.")
    var externalCommand: String?

    @Option(help: "Test a catalogued backprop mistake instead of the reference, on the cases where it applies (names: gradfuzz mutants --list).")
    var mutant: String?

    /// The implementation under test and the command that replays a fixture with it (written into
    /// each fixture the fuzzer finds): the reference, an external program, or a catalogued mistake
    /// that declines (as unsupported) the problems where it changes nothing.
    func implementation() throws(InputError) -> (any BackpropImplementation, @Sendable (String) -> String) {
        if externalCommand != nil && mutant != nil {
            throw InputError(field: "--impl", "give --impl or --mutant, not both")
        }
        if let externalCommand {
            let words = ShellWords.split(externalCommand)
            guard !words.isEmpty else { throw InputError(field: "--impl", "expected a command, e.g. 'python3 student.py'") }
            let program = ExternalImplementation(command: words)
            let quoted = ShellWords.quoted([externalCommand])
            return (program, { "gradfuzz replay \(ShellWords.quoted([$0])) --impl \(quoted)" })
        }
        if let name = mutant {
            guard let chosen = MutantCatalog.named(name) else {
                throw InputError(field: "--mutant", "unknown mutant \"\(name)\"; expected one of \(MutantCatalog.all.map(\.name).joined(separator: ", "))")
            }
            return (chosen.onlyWhereItApplies, { "gradfuzz replay \(ShellWords.quoted([$0])) --mutant \(name)" })
        }
        return (ReferenceImplementation(), { "gradfuzz replay \(ShellWords.quoted([$0]))" })
    }
}

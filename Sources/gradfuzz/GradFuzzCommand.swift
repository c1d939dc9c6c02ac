import ArgumentParser
import CGradFuzzSystem
import Foundation
import GradFuzz

@main
struct GradFuzzCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradfuzz",
        abstract: "Checks neural-network backpropagation entry by entry against GNU GSL's numerical derivatives.",
        version: GradFuzzVersion.current,
        subcommands: [
            FuzzCommand.self,
            ReplayCommand.self,
            FixturesCommand.self,
            MutantsCommand.self,
            ValidateCommand.self,
            ExamCommand.self,
            MergeCommand.self,
            AutograderCommand.self,
            AutogradeCommand.self,
            GradeCommand.self,
            BenchCommand.self,
        ],
        defaultSubcommand: FuzzCommand.self)

    /// Runs the command. There is one error path: every usage or input error — ArgumentParser's own,
    /// a `ValidationError` from `validate()` or thrown while running — is one line
    /// `gradfuzz: …` on standard error and exit status 2 (ArgumentParser's own handling would print
    /// the whole usage and exit 64). Other statuses (1 failures found, 130 interrupted) are `ExitCode`s.
    /// No student's process outlives the run, whichever way it ends.
    static func main() async {
        // A line at a time even into a file or a pipe: a run ended by SIGTERM or a CI timeout
        // leaves every verdict it had decided in the log.
        gradfuzz_line_buffer_stdout()
        // Each student's program has a supervisor that ends all it started; should a supervisor
        // itself be killed, what it supervised is re-parented here and ended when gradfuzz ends.
        _ = gradfuzz_become_subreaper()
        Interrupt.install()
        let status: Int32
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            status = 0
        } catch let code as ExitCode {
            status = code.rawValue
        } catch {
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                status = 0
            } else {
                let line = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
                FileHandle.standardError.write(Data("gradfuzz: \(TerminalText.visible(line))\n".utf8))
                status = 2
            }
        }
        gradfuzz_end_descendants()
        Foundation.exit(status)
    }
}

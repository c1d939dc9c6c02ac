import ArgumentParser
import Foundation

@main
struct GradFuzzCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradfuzz",
        abstract: "Checks neural-network backpropagation entry by entry against GNU GSL's numerical derivatives.",
        subcommands: [
            FuzzCommand.self,
            ReplayCommand.self,
            FixturesCommand.self,
            MutantsCommand.self,
            ValidateCommand.self,
            BenchCommand.self,
        ],
        defaultSubcommand: FuzzCommand.self)

    /// Runs the command; a usage or input error is one line on standard error and exit status 2
    /// (ArgumentParser's own handling would print the whole usage and exit 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let line = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("gradfuzz: \(line)\n".utf8))
            Foundation.exit(2)
        }
    }
}

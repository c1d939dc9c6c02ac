import ArgumentParser

@main
struct GradFuzzCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gradfuzz", subcommands: [
        ValidateCommand.self,
    ])
}

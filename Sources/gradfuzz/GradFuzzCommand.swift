import ArgumentParser

@main
struct GradFuzzCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradfuzz",
        abstract: "Checks neural-network backpropagation entry by entry against GNU GSL's numerical derivatives.",
        subcommands: [
            ReplayCommand.self,
            FixturesCommand.self,
            ValidateCommand.self,
            BenchCommand.self,
        ]
    )
}

import ArgumentParser

@main
struct GradFuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gradfuzz")
}

import Foundation
import GradFuzz

// A Swift student validated with no process in between:
//     swift run --package-path Examples/swift swift-student [FIXTURE-OR-DIRECTORY…]
// (fixtures/ by default). Same checks, report and exit status as `gradfuzz validate`.
let paths = CommandLine.arguments.count > 1 ? Array(CommandLine.arguments.dropFirst()) : ["fixtures"]
do {
    let cases = try Validation.load(paths)
    let report = await Validation.run(cases, implementation: SwiftStudent()) { print(ValidationReport.line($0)) }
    print(report.summary)
    exit(report.exitCode)
} catch {
    FileHandle.standardError.write(Data("swift-student: \(error)\n".utf8))
    exit(2)
}

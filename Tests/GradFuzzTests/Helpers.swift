import Foundation
import Testing
import GradFuzzFixtures

/// The curated fixtures as committed under fixtures/curated.
func curatedFixtures() throws -> [Fixture] {
    let files = try Fixture.files(in: [packageRoot.appendingPathComponent("fixtures/curated").path])
    return try files.map { try Fixture.read(from: $0) }
}

/// Runs the built `gradfuzz` executable (beside the test bundle) and collects what it says.
func runGradfuzz(_ arguments: [String], directory: URL? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    var products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: products.appendingPathComponent("gradfuzz").path) && products.path != "/" {
        products.deleteLastPathComponent()
    }
    let process = Process()
    process.executableURL = products.appendingPathComponent("gradfuzz")
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

/// The package's root directory.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A new, empty directory under the system's temporary directory.
func temporaryDirectory(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("gradfuzz-\(name)-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

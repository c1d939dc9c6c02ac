import ArgumentParser
import Foundation
import GradFuzz

/// `gradfuzz autograder --family NAME --points N --command 'python3 student.py' --out DIR`: a
/// Gradescope autograder bundle, with an exam of its own.
struct AutograderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autograder",
        abstract: "Write a Gradescope autograder for a family: setup.sh, run_autograder, the configuration, the binary, autograder.zip.",
        discussion: """
            The configuration (gradfuzz.json) holds a fresh exam seed drawn now, so each bundle's exam is its own; \
            the exam's expected values are computed from it at grading time, in memory. Upload DIR/autograder.zip to \
            Gradescope. To change points, visibility or timeouts, edit DIR/gradfuzz.json and run \
            gradfuzz autograder --config DIR/gradfuzz.json --out DIR again (the seed is kept). docs/grading.md has \
            the whole path and every field.

            Example: gradfuzz autograder --family sigmoid-softmax-cross-entropy --points 10 --command 'python3 student.py' --out autograder
            """)

    @OptionGroup(title: "Family (what the assignment asks for)") var familyOptions: FamilyOptions

    @Option(help: ArgumentHelp("An existing configuration to bundle as it is (its seed kept), instead of the options.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("The command that runs a submission, in the submission's folder.", valueName: "command"))
    var command: String?

    @Option(help: ArgumentHelp("Total points.", valueName: "n"))
    var points: Double = 10

    @Option(help: ArgumentHelp("Cases of the fuzz of the family (0: none).", valueName: "n"))
    var fuzzCases = 100

    @Option(help: ArgumentHelp("The user the student's program runs as (setup.sh creates it).", valueName: "name"))
    var user = "gradfuzz-student"

    @Option(help: ArgumentHelp("Seconds for each answer.", valueName: "seconds"))
    var timeout: Double = 10

    @Option(help: ArgumentHelp("Extra seconds for a program's first answer, while it loads.", valueName: "seconds"))
    var startup: Double = 20

    @Option(help: ArgumentHelp("Seconds for a whole submission.", valueName: "seconds"))
    var totalTime: Double = 600

    @Option(help: ArgumentHelp("The gradfuzz binary to bundle (default: this one); ci/release.sh builds a self-contained one.", valueName: "path"))
    var binary: String?

    @Option(help: ArgumentHelp("The bundle's folder (new, empty, or an earlier bundle to replace).", valueName: "dir"))
    var out: String

    func validate() throws {
        if config == nil && command == nil { throw ValidationError("expected --command 'python3 student.py' (or --config FILE)") }
        if config == nil && !familyOptions.isGiven {
            throw ValidationError("expected the assignment's family: --family NAME (\(Family.named.map(\.name).joined(separator: ", "))) or family options")
        }
        try Expect.path(out, "--out", "a folder for the bundle")
    }

    /// The configuration to bundle: the file given, or one made from the options with a fresh seed.
    func bundledConfig() throws -> AutograderConfig {
        if let config {
            do throws(ConfigError) { return try AutograderConfig.read(from: config) } catch { throw ValidationError(error.description) }
        }
        var made = AutograderConfig(family: familyOptions.statement, examSeed: AutograderConfig.freshSeed(), command: command ?? "")
        made.fuzzCases = fuzzCases
        made.user = user
        made.points.total = points
        made.timeouts.answer = timeout
        made.timeouts.startup = startup
        made.timeouts.total = totalTime
        do throws(ConfigError) { try made.check() } catch { throw ValidationError(error.description) }
        return made
    }

    func run() async throws {
        let made = try bundledConfig()
        do throws(ConfigError) { _ = try Autograde.plan(made) } catch { throw ValidationError(error.description) }
        let binary = self.binary ?? Self.runningExecutable
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: binary, isDirectory: &isDirectory), !isDirectory.boolValue,
            FileManager.default.isExecutableFile(atPath: binary), let binaryData = FileManager.default.contents(atPath: binary)
        else { throw ValidationError("--binary: \(binary) is not an executable file; expected a gradfuzz binary") }
        let isBundleFile = { (url: URL) in (AutograderBundle.packed + [AutograderBundle.zipName]).contains(url.lastPathComponent) }
        do throws(OutputFileError) { try OutputDirectory.check(out, isReplaceable: isBundleFile) } catch {
            throw ValidationError("--out: \(error)")
        }
        var files: [(name: String, data: Data)] = [
            (AutograderBundle.setupName, Data(AutograderBundle.setup(made).utf8)),
            (AutograderBundle.runName, Data(AutograderBundle.run.utf8)),
            (AutograderConfig.fileName, made.json),
            (AutograderBundle.binaryName, binaryData),
        ]
        let zip = try Self.zipped(files)
        if let zip { files.append((AutograderBundle.zipName, zip)) }
        do throws(OutputFileError) {
            try OutputDirectory.replace(out, with: files, isReplaceable: isBundleFile)
        } catch { throw ValidationError("--out: \(error)") }
        for name in [AutograderBundle.setupName, AutograderBundle.runName, AutograderBundle.binaryName] {
            chmod((out as NSString).appendingPathComponent(name), 0o755)
        }
        chmod((out as NSString).appendingPathComponent(AutograderConfig.fileName), 0o600)
        let family = try? made.resolvedFamily()
        print("autograder for \(family.map { FamilyFixtures.name(of: $0) == "family" ? $0.summary : FamilyFixtures.name(of: $0) } ?? "the family"): \(out)")
        print(
            "  command: \(made.command), \(AutogradeCommand.points(made.points.total)) points, "
                + (config == nil ? "a fresh exam" : "the exam of \(config ?? "")") + " (its seed is in \(AutograderConfig.fileName) only)")
        if zip != nil {
            print("upload \((out as NSString).appendingPathComponent(AutograderBundle.zipName)) to Gradescope (Autograder: zip file upload)")
        } else {
            print(
                "note: neither zip nor python3 was found, so there is no \(AutograderBundle.zipName): zip \(AutograderBundle.packed.joined(separator: " ")) yourself"
            )
        }
        let missing = AutograderBundle.missingRuntime(of: binary)
        if !missing.isEmpty {
            print(
                "WARNING: the bundled binary \(binary) is not self-contained: it needs \(missing.joined(separator: ", ")), which Gradescope's image does not have. "
                    + "Bundle the release binary instead (ci/release.sh builds it): --binary PATH")
        }
    }

    /// The executable running now.
    static var runningExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// The files as a zip, made by `zip` or, without it, python3's zipfile; nil when neither is there.
    static func zipped(_ files: [(name: String, data: Data)]) throws -> Data? {
        let staging = FileManager.default.temporaryDirectory.appendingPathComponent("gradfuzz-autograder-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: staging) }
        for file in files {
            let path = staging.appendingPathComponent(file.name).path
            guard FileManager.default.createFile(atPath: path, contents: file.data) else {
                throw ValidationError("cannot stage \(file.name) in \(staging.path)")
            }
            chmod(path, file.name == AutograderConfig.fileName ? 0o600 : 0o755)
        }
        let names = files.map(\.name)
        let tools: [(String, [String])] = [
            ("zip", ["-q", "-X", AutograderBundle.zipName] + names), ("python3", ["-m", "zipfile", "-c", AutograderBundle.zipName] + names),
        ]
        for (tool, arguments) in tools {
            guard let path = Self.onPath(tool) else { continue }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
            process.currentDirectoryURL = staging
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            if process.terminationStatus == 0, let data = FileManager.default.contents(atPath: staging.appendingPathComponent(AutograderBundle.zipName).path) {
                return data
            }
        }
        return nil
    }

    static func onPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

import Foundation

/// The files of a Gradescope autograder (gradescope-autograders.readthedocs.io, "Autograder
/// Specifications"): `setup.sh`, run once as root when the image is built; `run_autograder`, run as
/// root for each submission; the grading configuration and the gradfuzz binary, unpacked beside them
/// in ROOT/source.
public enum AutograderBundle {
    public static let setupName = "setup.sh"
    public static let runName = "run_autograder"
    public static let binaryName = "gradfuzz"
    public static let zipName = "autograder.zip"
    /// The environment variable that moves the root from Gradescope's /autograder, to try the bundle locally.
    public static let rootVariable = "GRADFUZZ_AUTOGRADER_ROOT"
    /// The files packed into the zip, in order.
    public static let packed = [setupName, runName, AutograderConfig.fileName, binaryName]

    /// The Ubuntu packages a command's language needs, by its first word, and what they are for.
    public static func packages(for command: String) -> (packages: [String], language: String)? {
        let program = ((ShellWords.split(command).first ?? "") as NSString).lastPathComponent
        switch program {
        case let p where p.hasPrefix("python"): return (["python3", "python3-numpy"], "Python with numpy")
        case "java": return (["default-jre-headless"], "Java")
        case "node", "nodejs": return (["nodejs"], "Node.js")
        case "Rscript": return (["r-base-core"], "R")
        case "julia": return (["julia"], "Julia")
        default: return nil
        }
    }

    /// setup.sh: the student's language, and the user their program runs as.
    public static func setup(_ config: AutograderConfig) -> String {
        var text = """
            #!/usr/bin/env bash
            # Run once by Gradescope, as root, when it builds the autograder's image.
            set -euo pipefail

            """
        if let (packages, language) = packages(for: config.command) {
            text += """
                # \(language), for the submission's command: \(config.command)
                apt-get update
                DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \(packages.joined(separator: " "))

                """
        } else {
            text += "# Nothing is installed for the submission's command (\(config.command)): add what it needs here.\n"
        }
        if let user = config.user {
            text += """
                # The user the student's program runs as: a system user with no login shell and no home.
                id -u \(user) >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin --user-group \(user)

                """
        }
        return text
    }

    /// run_autograder: makes the grader's files root-only, grades the submission into
    /// ROOT/results/results.json, and writes a results.json that says so should gradfuzz fail to.
    public static var run: String {
        """
        #!/usr/bin/env bash
        # Run by Gradescope, as root, for each submission. The root is /autograder unless
        # \(rootVariable) names another, to try the bundle locally.
        set -u
        root="${\(rootVariable):-/autograder}"
        source="$root/source"
        mkdir -p "$root/results"
        # The student's program must neither read the configuration (it holds the exam's seed) nor run the grader.
        chmod 700 "$source" "$source/\(binaryName)"
        chmod 600 "$source/\(AutograderConfig.fileName)"
        chmod 755 "$root/results"
        rm -f "$root/results/results.json"
        "$source/\(binaryName)" autograde --config "$source/\(AutograderConfig.fileName)" --submission "$root/submission" \\
            --results "$root/results/results.json"
        status=$?
        if [ ! -s "$root/results/results.json" ]; then
            printf '{"score": 0, "output": "The autograder failed (gradfuzz exit status %s) before it could grade; please tell your instructor.", "tests": []}\\n' \\
                "$status" > "$root/results/results.json"
        fi
        exit 0

        """
    }

    /// The shared libraries `binary` needs that a plain Ubuntu image lacks (the Swift runtime,
    /// Foundation, GSL), as `ldd` lists them; empty for a self-contained binary.
    public static func missingRuntime(of binary: String) -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
        process.arguments = [binary]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return [] }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let foreign = ["libswift", "libFoundation", "libgsl", "libdispatch", "libBlocksRuntime", "lib_FoundationICU"]
        return text.split(separator: "\n").compactMap { line in
            let name = line.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? ""
            return foreign.contains { name.hasPrefix($0) } ? name : nil
        }
    }
}

import Foundation

/// Why the files a run is asked to write cannot be written, said before any work starts: the
/// option, the path and what was expected.
public struct OutputPathError: Error, CustomStringConvertible, Equatable, Sendable {
    public var option: String
    public var message: String

    public init(option: String, _ message: String) {
        self.option = option
        self.message = message
    }

    public var description: String { "\(option): \(message)" }
}

/// The files a run writes, checked together before it reads or asks anything: a run's options may
/// be mistyped (the shell's `--html *.json` makes the first fixture the report's name), and finding
/// out at the end costs the run or, worse, an input.
///
/// Each output must be writable (`OutputFile.checkWritable`), none may be one of the run's inputs
/// (the same file under any name: symbolic and hard links count), no two may be the same file, and
/// none may be a file that already holds a gradfuzz fixture, problem or exam manifest.
public enum OutputPaths {
    /// Checks `outputs` (option, path; nil paths are not asked for) against each other and against
    /// `inputs` (files, or directories standing for the fixture files below them).
    public static func check(_ outputs: [(option: String, path: String?)], inputs: [String]) throws(OutputPathError) {
        let asked = outputs.compactMap { output in output.path.map { (option: output.option, path: $0) } }
        var inputFiles: [String] = []
        for input in inputs {
            inputFiles += (try? Fixture.files(in: [input]))?.map(\.path) ?? [input]
        }
        let inputIdentities = Dictionary(inputFiles.map { (FileIdentity($0), $0) }, uniquingKeysWith: { first, _ in first })
        var seen: [FileIdentity: String] = [:]
        for (option, path) in asked {
            do throws(OutputFileError) { try OutputFile.checkWritable(path) } catch {
                throw OutputPathError(option: option, error.description)
            }
            let identity = FileIdentity(path)
            if let input = inputIdentities[identity] {
                let same = input == path ? "" : " (as \(input))"
                throw OutputPathError(
                    option: option, "\(path) is one of the inputs of this run\(same); expected a file of its own for the report (nothing was written)")
            }
            if let other = seen[identity] {
                throw OutputPathError(option: option, "\(path) is the same file as \(other)'s; expected a file each for \(other) and \(option)")
            }
            seen[identity] = option
            if let what = gradfuzzInput(at: path) {
                throw OutputPathError(
                    option: option,
                    "\(path) holds a gradfuzz \(what); expected a new file or a report to replace (was the report's name left out, so that a \(what) took its place?)"
                )
            }
        }
    }

    /// What gradfuzz input the regular file at `path` holds ("fixture", "problem file", "exam
    /// manifest"), or nil when it holds none of them (or is not there).
    package static func gradfuzzInput(at path: String) -> String? {
        var s = stat()
        guard stat(path, &s) == 0, s.st_mode & S_IFMT == S_IFREG,
            let handle = FileHandle(forReadingAtPath: path)
        else { return nil }
        defer { try? handle.close() }
        let head = String(decoding: (try? handle.read(upToCount: 1 << 16)) ?? Data(), as: UTF8.self)
        guard head.drop(while: \.isWhitespace).first == "{" else { return nil }
        // The schemas' names without their "/1": a writer may escape the slash.
        if head.contains("\"gradfuzz-fixture") { return "fixture" }
        if head.contains("\"gradfuzz-exam") { return "exam manifest" }
        // A fuzz summary (fuzz --json, merge --json) is a report; its failing cases have "layers" and
        // "activations" too. Its keys are sorted, so "casesPerSecond" comes within the head.
        if head.contains("\"casesPerSecond\"") { return nil }
        if head.contains("\"layers\"") && head.contains("\"activations\"") { return "problem file" }
        return nil
    }
}

/// A file as the system knows it: its device and inode when it exists (so that every name of it,
/// through links, is the same identity), else its absolute path with the parent's links resolved.
struct FileIdentity: Hashable {
    private var key: String

    init(_ path: String) {
        var s = stat()
        if stat(path, &s) == 0 {
            key = "inode \(s.st_dev):\(s.st_ino)"
            return
        }
        let absolute = URL(fileURLWithPath: path)
        key = "path " + absolute.deletingLastPathComponent().resolvingSymlinksInPath().appendingPathComponent(absolute.lastPathComponent).path
    }
}

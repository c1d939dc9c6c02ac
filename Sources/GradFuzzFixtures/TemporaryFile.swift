import Foundation

/// The names of the temporary files a write goes through before its rename or link:
/// ".NAME.tmp-PID-N" beside the file. They are hidden, never end in ".json" (so nothing reads them as
/// fixtures) and carry the writer's pid, so that the next run can remove those a killed run left.
enum TemporaryFile {
    /// A fresh temporary name in `directory` for the file `name`.
    static func path(for name: String, in directory: String) -> String {
        let n = UInt64.random(in: 0...UInt64.max)
        return (directory as NSString).appendingPathComponent(".\(name).tmp-\(getpid())-\(n)")
    }

    /// The pid in a temporary file's name: ".NAME.tmp-PID-N", or the form earlier versions wrote,
    /// ".NAME.PID.N.tmp"; nil for any other name.
    static func writer(of name: String) -> pid_t? {
        guard name.hasPrefix(".") else { return nil }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        if let last = parts.last, last.hasPrefix("tmp-") {
            let numbers = last.dropFirst(4).split(separator: "-")
            guard numbers.count == 2, UInt64(numbers[1]) != nil else { return nil }
            return pid_t(numbers[0])
        }
        if parts.count >= 5, parts.last == "tmp", UInt64(parts[parts.count - 2]) != nil {
            return pid_t(parts[parts.count - 3])
        }
        return nil
    }

    /// Removes the temporary files in `directory` whose writer is no longer running (killed before it
    /// could clean up). Those of running processes, another run's writes in progress, are left alone.
    static func removeStale(in directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names {
            guard let pid = writer(of: name), pid > 0 else { continue }
            if kill(pid, 0) == -1 && errno == ESRCH {
                unlink((directory as NSString).appendingPathComponent(name))
            }
        }
    }
}

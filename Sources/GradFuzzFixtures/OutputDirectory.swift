import Foundation

/// A directory of files written whole, as an exam is: the files go into a new directory beside it,
/// which then takes its place, so that a reader sees the old set or the new one and a rerun never
/// leaves an earlier file beside the new ones. Only a directory that holds nothing else than such a
/// set (as `isReplaceable` judges each entry) is replaced; anything else in it is never removed.
public enum OutputDirectory {
    /// Says now whether `replace` could write `path`: absent (its parent is created), an empty
    /// directory, or one whose every entry `isReplaceable` accepts.
    public static func check(_ path: String, isReplaceable: (URL) -> Bool) throws(OutputFileError) {
        var s = stat()
        guard stat(path, &s) == 0 else {
            let code = errno
            // ENOTDIR: a file where a parent directory should be, which the walk up names.
            guard code == ENOENT || code == ENOTDIR else { throw OutputFileError(path: path, OutputFileError.system(code)) }
            try requireCreatableParent(of: path)
            return
        }
        guard s.st_mode & S_IFMT == S_IFDIR else {
            throw OutputFileError(path: path, "it is \(OutputFile.kindName(s.st_mode)); expected a directory (or a new directory's path)")
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        let url = URL(fileURLWithPath: path, isDirectory: true)
        // Hidden temporary files of an earlier write do not count against it.
        if let stray = names.sorted().first(where: { !$0.hasPrefix(".") && !isReplaceable(url.appendingPathComponent($0)) }) {
            throw OutputFileError(
                path: path, "it holds \(stray), which is not part of what is written there; expected an empty directory or an earlier one to replace")
        }
        guard access(OutputFile.parent(of: path), W_OK) == 0 else {
            throw OutputFileError(path: path, "cannot replace it: its parent directory is not writable")
        }
    }

    /// Writes `files` (name and bytes) as the directory `path`, replacing whole what `check` allows there.
    public static func replace(_ path: String, with files: [(name: String, data: Data)], isReplaceable: (URL) -> Bool) throws(OutputFileError) {
        try check(path, isReplaceable: isReplaceable)
        let trimmed = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        let parent = OutputFile.parent(of: trimmed)
        try OutputFile.createDirectory(parent)
        let name = OutputFile.name(of: trimmed)
        let fresh = TemporaryFile.path(for: name, in: parent)
        guard mkdir(fresh, 0o777) == 0 else {
            let code = errno
            throw OutputFileError(path: path, "cannot create a directory in \(parent): \(OutputFileError.system(code))")
        }
        do throws(OutputFileError) {
            for file in files { try OutputFile.write(file.data, to: (fresh as NSString).appendingPathComponent(file.name)) }
            var s = stat()
            if stat(trimmed, &s) == 0 {
                let old = TemporaryFile.path(for: name, in: parent)
                guard rename(trimmed, old) == 0 else { let code = errno; throw OutputFileError(path: path, OutputFileError.system(code)) }
                guard rename(fresh, trimmed) == 0 else {
                    let code = errno
                    _ = rename(old, trimmed)
                    throw OutputFileError(path: path, OutputFileError.system(code))
                }
                try? FileManager.default.removeItem(atPath: old)
            } else {
                guard rename(fresh, trimmed) == 0 else { let code = errno; throw OutputFileError(path: path, OutputFileError.system(code)) }
            }
        } catch {
            try? FileManager.default.removeItem(atPath: fresh)
            throw error
        }
    }

    private static func requireCreatableParent(of path: String) throws(OutputFileError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in OutputFile.parent(of: path).split(separator: "/") {
            prefix = prefix.isEmpty || prefix.hasSuffix("/") ? prefix + component : prefix + "/" + component
            var s = stat()
            guard stat(prefix, &s) == 0 else { return }
            guard s.st_mode & S_IFMT == S_IFDIR else {
                throw OutputFileError(path: path, "\(prefix) is not a directory (it is \(OutputFile.kindName(s.st_mode)))")
            }
        }
    }
}

import Foundation

/// Writes reports and fixture files without ever replacing something that is not a regular file.
///
/// - A regular file, or a path where nothing is yet, is replaced whole: the data goes to a temporary
///   file beside it, then a rename puts it in place, so a reader sees the old file or the new one.
/// - A symlink is followed to its final target, and that target is replaced as above; the link stays.
/// - A character device (/dev/null, /dev/stdout) or a FIFO is opened and written through.
/// - A directory, a socket or a block device is refused, and so is a path whose parent directory
///   does not exist: each with one line that says what was expected.
public enum OutputFile {
    public static func write(_ data: Data, to path: String) throws(OutputFileError) {
        let target = try resolve(path)
        switch target.kind {
        case .characterDevice, .fifo: try writeThrough(data, to: target.path, as: path)
        case .regular, .none: try replace(target.path, with: data, as: path)
        }
    }

    /// Says now whether `write(_:to:)` could write `path` later, without creating anything at
    /// `path` or changing what is there: for an option such as --json, checked at the start of a
    /// long run, so that a run killed before its end leaves no file that looks like its report.
    public static func checkWritable(_ path: String) throws(OutputFileError) {
        let target = try resolve(path)
        guard target.kind == .regular || target.kind == .none else {
            // A device or FIFO is not opened now: a FIFO's open would wait for its reader.
            guard access(target.path, W_OK) == 0 else { let code = errno; throw OutputFileError(path: path, OutputFileError.system(code)) }
            return
        }
        // A file is replaced by a rename in its directory: a file must be creatable there (tried
        // with a temporary file, removed at once; access() says yes to root even on /proc).
        let directory = parent(of: target.path)
        let probe = TemporaryFile.path(for: name(of: target.path), in: directory)
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(0o600))
        guard fd >= 0 else {
            let code = errno
            throw OutputFileError(path: path, "cannot create a file in \(directory): \(OutputFileError.system(code))")
        }
        close(fd)
        unlink(probe)
    }

    /// Creates `path` and its missing parents as directories; says which component is in the way.
    public static func createDirectory(_ path: String) throws(OutputFileError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix = prefix.isEmpty || prefix.hasSuffix("/") ? prefix + component : prefix + "/" + component
            var s = stat()
            if stat(prefix, &s) == 0 {
                guard s.st_mode & S_IFMT == S_IFDIR else {
                    throw OutputFileError(path: path, "\(prefix) is not a directory (it is \(kindName(s.st_mode)))")
                }
                continue
            }
            if mkdir(prefix, 0o777) != 0 && errno != EEXIST {
                let code = errno
                throw OutputFileError(path: path, "cannot create the directory \(prefix): \(OutputFileError.system(code))")
            }
        }
    }

    enum Kind { case regular, characterDevice, fifo, none }

    /// The path that a write to `path` lands on (symlinks followed to the end) and what is there now.
    static func resolve(_ path: String) throws(OutputFileError) -> (path: String, kind: Kind) {
        var current = path
        for _ in 0..<40 {
            var s = stat()
            guard lstat(current, &s) == 0 else {
                let code = errno
                guard code == ENOENT || code == ENOTDIR else { throw OutputFileError(path: path, OutputFileError.system(code)) }
                try requireDirectory(parent(of: current), for: path)
                return (current, .none)
            }
            switch s.st_mode & S_IFMT {
            case S_IFREG: return (current, .regular)
            case S_IFCHR: return (current, .characterDevice)
            case S_IFIFO: return (current, .fifo)
            case S_IFLNK:
                guard let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else {
                    throw OutputFileError(path: path, "cannot read the symbolic link \(current)")
                }
                current = destination.hasPrefix("/") ? destination : (parent(of: current) as NSString).appendingPathComponent(destination)
            default:
                let via = current == path ? "" : " (the link's target \(current))"
                throw OutputFileError(
                    path: path, "it is \(kindName(s.st_mode))\(via); expected a regular file, a new file's path, a character device or a FIFO")
            }
        }
        throw OutputFileError(path: path, "too many levels of symbolic links")
    }

    /// The directory a new file at `path` goes in: it must exist and be a directory.
    private static func requireDirectory(_ directory: String, for path: String) throws(OutputFileError) {
        var s = stat()
        guard stat(directory, &s) == 0 else {
            let code = errno
            if code == ENOTDIR {
                // Some component above is a file: name the first one that is not a directory.
                var prefix = directory.hasPrefix("/") ? "/" : ""
                for component in directory.split(separator: "/") {
                    prefix = prefix.isEmpty || prefix.hasSuffix("/") ? prefix + component : prefix + "/" + component
                    var t = stat()
                    if stat(prefix, &t) == 0 && t.st_mode & S_IFMT != S_IFDIR {
                        throw OutputFileError(path: path, "\(prefix) is not a directory (it is \(kindName(t.st_mode)))")
                    }
                }
            }
            let why = code == ENOENT ? "the directory \(directory) does not exist" : "\(directory): \(OutputFileError.system(code))"
            throw OutputFileError(path: path, why)
        }
        guard s.st_mode & S_IFMT == S_IFDIR else {
            throw OutputFileError(path: path, "\(directory) is not a directory (it is \(kindName(s.st_mode)))")
        }
    }

    /// Writes into a device or FIFO that is already there, as a shell's `>` would (a FIFO waits for its reader).
    private static func writeThrough(_ data: Data, to target: String, as path: String) throws(OutputFileError) {
        let fd = open(target, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { let code = errno; throw OutputFileError(path: path, OutputFileError.system(code)) }
        defer { close(fd) }
        try writeAll(data, to: fd, as: path)
    }

    /// Writes a temporary file beside `target` and renames it over `target`.
    private static func replace(_ target: String, with data: Data, as path: String) throws(OutputFileError) {
        let directory = parent(of: target)
        let temporary = TemporaryFile.path(for: name(of: target), in: directory)
        // Created as any new file is (rw-rw-rw- less the umask); a replaced file keeps its permissions.
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(0o666))
        guard fd >= 0 else {
            let code = errno
            throw OutputFileError(path: path, "cannot create a file in \(directory): \(OutputFileError.system(code))")
        }
        do throws(OutputFileError) {
            defer { close(fd) }
            var existing = stat()
            if lstat(target, &existing) == 0 { fchmod(fd, existing.st_mode & 0o7777) }
            try writeAll(data, to: fd, as: path)
            guard fsync(fd) == 0 else { let code = errno; throw OutputFileError(path: path, OutputFileError.system(code)) }
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, target) == 0 else {
            let code = errno
            unlink(temporary)
            throw OutputFileError(path: path, OutputFileError.system(code))
        }
    }

    private static func writeAll(_ data: Data, to fd: Int32, as path: String) throws(OutputFileError) {
        let failure: Int32? = data.withUnsafeBytes { buffer -> Int32? in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return nil
        }
        if let failure { throw OutputFileError(path: path, OutputFileError.system(failure)) }
    }

    /// The folder `path` lies in: "." for a bare name, "/" at the root. Taken by hand: Foundation's
    /// NSString path methods trap on a one-character path.
    static func parent(of path: String) -> String {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.reversed().drop { $0 == "/" }.reversed()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        let head = trimmed[..<slash].reversed().drop { $0 == "/" }.reversed()
        return head.isEmpty ? "/" : String(head)
    }

    /// The last component of `path` ("b" for "a/b/"), without Foundation's path methods (see `parent(of:)`).
    static func name(of path: String) -> String {
        let parts = path.split(separator: "/")
        return parts.last.map(String.init) ?? path
    }

    static func kindName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFREG: return "a regular file"
        case S_IFLNK: return "a symbolic link"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        default: return "not a file"
        }
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why a report could not be written.
public struct ReportFileError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// Writes a report so that a reader never sees half of it, and nothing but the named file changes:
/// - a new name, or a regular file: the bytes go to a temporary file in the same directory, which
///   is then renamed over the name (keeping a replaced file's permissions);
/// - a symbolic link: the same, at the file it points to (the link stays a link);
/// - a device, a FIFO or a socket (`/dev/stdout`, a named pipe): written through, never replaced;
/// - a directory: refused.
public enum ReportFile {
    public static func write(_ data: Data, to path: String) throws(ReportFileError) {
        var target = path
        var info = stat()
        if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK {
            // Follow the link to where it points, even when that does not exist yet.
            guard let resolved = resolve(path) else {
                throw ReportFileError(description: "\(path): cannot follow the symbolic link")
            }
            target = resolved
        }
        guard stat(target, &info) == 0 else {
            let code = errno
            guard code == ENOENT else { throw failure(target, code) }
            try replace(data, at: target, mode: nil)
            return
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: try replace(data, at: target, mode: info.st_mode & 0o7777)
        case S_IFDIR: throw ReportFileError(description: "\(path): is a directory; expected a file name for the report")
        default: try writeThrough(data, to: target)
        }
    }

    /// `path` with every symbolic link along it followed, the last component included; nil on a loop.
    static func resolve(_ path: String) -> String? {
        var current = path
        for _ in 0..<40 {
            var info = stat()
            guard lstat(current, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(current, &buffer, buffer.count - 1)
            guard count >= 0 else { return nil }
            let destination = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = destination.hasPrefix("/") ? destination
                : ((current as NSString).deletingLastPathComponent as NSString).appendingPathComponent(destination)
        }
        return nil
    }

    /// A temporary file beside `path`, written whole and synced, then renamed over it.
    static func replace(_ data: Data, at path: String, mode: mode_t?) throws(ReportFileError) {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = (directory.isEmpty ? "" : directory + "/") + ".\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode ?? 0o666)
        guard fd >= 0 else { throw failure(path, errno, doing: "cannot create a temporary file beside") }
        var ok = false
        defer { if !ok { unlink(temporary) } }
        do {
            defer { close(fd) }
            if let mode { fchmod(fd, mode) }
            try writeAll(data, to: fd, path: path)
            guard fsync(fd) == 0 else { throw failure(path, errno) }
        }
        guard rename(temporary, path) == 0 else { throw failure(path, errno, doing: "cannot rename the temporary file to") }
        ok = true
    }

    /// Into an existing device or FIFO, as it is.
    static func writeThrough(_ data: Data, to path: String) throws(ReportFileError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { throw failure(path, errno) }
        defer { close(fd) }
        try writeAll(data, to: fd, path: path)
    }

    static func writeAll(_ data: Data, to fd: Int32, path: String) throws(ReportFileError) {
        let result: Int32 = data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return 0
        }
        if result != 0 { throw failure(path, result) }
    }

    static func failure(_ path: String, _ code: Int32, doing: String = "cannot write") -> ReportFileError {
        ReportFileError(description: "\(doing) \(path): \(String(cString: strerror(code)))")
    }
}

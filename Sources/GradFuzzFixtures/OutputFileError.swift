import Foundation

/// Why a report or a fixture file could not be written: one line that names the path and what was
/// expected there.
public struct OutputFileError: Error, CustomStringConvertible, LocalizedError, Equatable, Sendable {
    public var path: String
    public var reason: String

    public init(path: String, _ reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "cannot write \(path): \(reason)" }
    public var errorDescription: String? { description }

    /// The C library's words for `code`, e.g. "Permission denied".
    static func system(_ code: Int32) -> String { String(cString: strerror(code)) }
}

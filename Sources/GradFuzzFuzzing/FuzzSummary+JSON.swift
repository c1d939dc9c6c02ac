import Foundation
import GradFuzzCore

/// A summary as `fuzz --json` and `merge --json` write it, and as `merge` reads it back.
extension FuzzSummary {
    /// Pretty-printed, keys sorted: the same summary is the same text.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Reads a summary written by `fuzz --json` or `merge --json`; the error says, in one line, which
    /// field is missing or wrong.
    public init(json data: Data, file: String) throws(InputError) {
        do {
            self = try JSONDecoder().decode(FuzzSummary.self, from: data)
        } catch let error as DecodingError {
            throw InputError(field: Self.field(of: error), Self.reason(error) + "; expected a summary written by gradfuzz fuzz --json", file: file)
        } catch {
            throw InputError(field: "summary", "\(error); expected a summary written by gradfuzz fuzz --json", file: file)
        }
    }

    private static func field(of error: DecodingError) -> String {
        let path: [any CodingKey]
        switch error {
        case .keyNotFound(let key, let context): path = context.codingPath + [key]
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): path = context.codingPath
        @unknown default: path = []
        }
        let field = path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        return field.isEmpty ? "summary" : field
    }

    private static func reason(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound: return "missing"
        case .typeMismatch(let type, _): return "expected a value of type \(type)"
        case .valueNotFound(let type, _): return "expected a value of type \(type), got null"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not JSON" : "unreadable (\(context.debugDescription))"
        @unknown default: return "unreadable"
        }
    }
}

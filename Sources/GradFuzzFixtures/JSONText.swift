import Foundation
import GradFuzzCore

/// JSON text written by hand, for files a person can read and requests a student can parse: the
/// bytes depend only on the values, and every number is Swift's shortest round-trip decimal, so
/// it reads back bit for bit. Shared by the fixture format and the student protocol.
public enum JSONText {
    public static func number(_ x: Double) -> String {
        precondition(x.isFinite, "non-finite numbers have no JSON form; checked on the way in")
        return "\(x)"
    }

    public static func string(_ s: String) -> String {
        String(decoding: try! JSONEncoder().encode(s), as: UTF8.self)
    }

    public static func compact<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }

    public static func row(_ values: [Double]) -> String {
        "[" + values.map(number).joined(separator: ", ") + "]"
    }

    public static func rows(_ rows: [[Double]], indent: Int) -> String {
        let pad = String(repeating: " ", count: indent + 2)
        return "[\n" + rows.map { pad + row($0) }.joined(separator: ",\n") + "\n" + String(repeating: " ", count: indent) + "]"
    }

    public static func matrices(_ matrices: [Matrix], indent: Int) -> String {
        let pad = String(repeating: " ", count: indent + 2)
        return "[\n" + matrices.map { pad + rows($0.nested, indent: indent + 2) }.joined(separator: ",\n")
            + "\n" + String(repeating: " ", count: indent) + "]"
    }

    /// A request's compact forms: no spaces, no line breaks.
    public static func compactRow(_ values: [Double]) -> String { "[" + values.map(number).joined(separator: ",") + "]" }

    public static func compactRows(_ rows: [[Double]]) -> String { "[" + rows.map(compactRow).joined(separator: ",") + "]" }

    public static func compactMatrices(_ matrices: [Matrix]) -> String {
        "[" + matrices.map { compactRows($0.nested) }.joined(separator: ",") + "]"
    }
}

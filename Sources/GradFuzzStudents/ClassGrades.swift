import Foundation

/// A class's grades as `gradfuzz grade` writes them: one row per student, as CSV
/// (RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled).
public struct ClassGrades: Sendable {
    public struct Row: Sendable, Equatable {
        public var student: String
        /// Nil: not graded (the run was interrupted before this student finished).
        public var score: Double?
        public var maxScore: Double
        public var firstFailingTest: String
        public var diagnosis: String

        public init(student: String, score: Double?, maxScore: Double, firstFailingTest: String = "", diagnosis: String = "") {
            self.student = student
            self.score = score
            self.maxScore = maxScore
            self.firstFailingTest = firstFailingTest
            self.diagnosis = diagnosis
        }
    }

    public var rows: [Row]

    public init(rows: [Row]) { self.rows = rows }

    public static let header = ["student", "score", "max", "first failing test", "diagnosis"]

    public var csv: String {
        var lines = [Self.header.map(Self.field).joined(separator: ",")]
        for row in rows.sorted(by: { $0.student < $1.student }) {
            let score = row.score.map(Self.number) ?? ""
            let failing = row.score == nil ? "not graded" : row.firstFailingTest
            lines.append([row.student, score, Self.number(row.maxScore), failing, row.diagnosis].map(Self.field).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// One CSV field. A text a spreadsheet would take for a formula (=, +, -, @ first) is led by a
    /// quote mark, since a diagnosis may quote what a student's program printed.
    public static func field(_ text: String) -> String {
        var text = text
        if let first = text.first, "=+-@".contains(first), Double(text) == nil { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || text.hasPrefix(" ") || text.hasSuffix(" ") else {
            return text
        }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func number(_ x: Double) -> String {
        let rounded = (x * 1000).rounded() / 1000
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// "12 of 12 graded: mean 7.5 of 10, 3 full marks, 2 scored 0".
    public var summary: String {
        let graded = rows.compactMap(\.score), max = rows.first?.maxScore ?? 0
        var text = "\(graded.count) of \(rows.count) graded"
        guard !graded.isEmpty else { return text }
        let mean = graded.reduce(0, +) / Double(graded.count)
        text += ": mean \(Self.number(mean)) of \(Self.number(max)), \(graded.count { $0 >= max - 1e-9 }) full marks, \(graded.count { $0 == 0 }) scored 0"
        return text
    }
}

import Foundation

// How verdicts read to a person: a table layer by layer, the worst entries, and a map of each
// failing matrix that shows at a glance whether a row, a column or everything is wrong.

extension Verdict {
    /// One line per layer and quantity: entries checked, at kinks, failed, the largest errors and the worst entry.
    public func table() -> String {
        var lines = ["layer  matrix  checked  kinks  failed  max abs err  max rel err  worst entry"]
        for v in matrices {
            let worst = v.worst.map { Self.index($0) } ?? "-"
            lines.append([pad(v.layer, 5), v.quantity.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0),
                          pad(v.checked, 7), pad(v.kinks, 5), pad(v.failures.count, 6),
                          pad(Self.short(v.maxAbsError), 11), pad(Self.short(v.maxRelError), 11), worst].joined(separator: "  "))
        }
        if let cost {
            lines.append("cost: expected \(cost.expected), got \(cost.got)" + (costPassed ? "" : "  FAILED"))
        }
        return lines.joined(separator: "\n")
    }

    /// The failing entries, worst first (at most `limit`), and a map of each failing matrix.
    public func failureDetails(limit: Int = 5) -> String {
        var lines: [String] = []
        if let layer = firstWrongLayer {
            lines.append("first wrong layer (counting from the output, as backprop runs): \(layer)")
        }
        let failures = matrices.flatMap(\.failures).sorted { $0.severity > $1.severity }
        for entry in failures.prefix(limit) { lines.append("  " + entry.description) }
        if failures.count > limit { lines.append("  … and \(failures.count - limit) more") }
        for v in matrices where !v.passed {
            lines.append("layer \(v.layer) \(v.quantity.rawValue) (\(v.rows)×\(v.columns)), X = wrong, . = right, k = at a kink:")
            lines.append(v.map().split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        }
        return lines.joined(separator: "\n")
    }

    private func pad(_ value: some CustomStringConvertible, _ width: Int) -> String {
        let s = value.description
        return String(repeating: " ", count: max(0, width - s.count)) + s
    }

    static func index(_ e: Entry) -> String {
        switch e.quantity {
        case .db: return "[\(e.column)]"
        case .cost: return "-"
        default: return "[\(e.row), \(e.column)]"
        }
    }

    static func short(_ x: Double) -> String { x == 0 ? "0" : String(format: "%.1e", x) }
}

extension MatrixVerdict {
    /// Rows of '.', 'X' and 'k' (kink), one character per entry; large matrices are cut with "…".
    public func map(maxRows: Int = 16, maxColumns: Int = 48) -> String {
        var lines: [String] = []
        for r in 0..<min(rows, maxRows) {
            var line = ""
            for c in 0..<min(columns, maxColumns) {
                let i = r * columns + c
                line.append(failed[i] ? "X" : (atKink[i] ? "k" : "."))
            }
            if columns > maxColumns { line += " …" }
            lines.append(line)
        }
        if rows > maxRows { lines.append("… \(rows - maxRows) more rows") }
        return lines.joined(separator: "\n")
    }
}

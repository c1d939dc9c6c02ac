import Foundation
import GradFuzzCore
import GradFuzzOracle

// How verdicts read to a person: a table layer by layer, the worst entries, and a map of each
// failing matrix that shows at a glance whether a row, a column or everything is wrong.

extension Verdict {
    /// One line per layer and quantity: entries checked, at kinks, failed, the largest errors and the worst entry.
    public func table() -> String {
        var lines = ["layer  matrix  checked  kinks  failed  max abs err  max rel err  worst entry"]
        for v in matrices {
            let worst = v.worst.map { Self.index($0) } ?? "-"
            lines.append(
                [
                    pad(v.layer, 5), v.quantity.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0),
                    pad(v.checked, 7), pad(v.kinks, 5), pad(v.failures.count, 6),
                    pad(Self.short(v.maxAbsError), 11), pad(Self.short(v.maxRelError), 11), worst,
                ].joined(separator: "  "))
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
            lines.append("first wrong layer (counting from the output, as backprop runs): \(layer) (your W[\(layer - 1)])")
        }
        let failures = matrices.flatMap(\.failures).sorted { $0.severity > $1.severity }
        for entry in failures.prefix(limit) { lines.append("  " + entry.description) }
        if failures.count > limit { lines.append("  … and \(failures.count - limit) more") }
        for v in matrices where !v.passed {
            lines.append(v.failureHeading)
            lines += v.map().map { "  " + $0 }
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
    /// "layer 2 dW, 4×2, 6 wrong — rows 1, 2, 3 (X wrong, . right):", the line above its map.
    public var failureHeading: String {
        "\(quantity.rawValue)[\(layer - 1)] (layer \(layer)), \(rows)×\(columns), \(failures.count) wrong\(pattern.map { " — \($0)" } ?? "") (X wrong, . right\(kinks > 0 ? ", k at a kink" : "")):"
    }

    /// A glance at which entries are wrong: one character per entry, row by row, X wrong and . right.
    /// A matrix larger than `maxRows` × `maxColumns` is folded: each character then stands for a
    /// block of entries and is X when any of them is wrong, so a wrong row or column still shows.
    public func map(maxRows: Int = 16, maxColumns: Int = 64) -> [String] {
        let mv = self
        let rowStep = (mv.rows + maxRows - 1) / maxRows, columnStep = (mv.columns + maxColumns - 1) / maxColumns
        var lines: [String] = []
        for r0 in stride(from: 0, to: mv.rows, by: rowStep) {
            var line = ""
            for c0 in stride(from: 0, to: mv.columns, by: columnStep) {
                var wrong = false, kink = false
                for r in r0..<min(r0 + rowStep, mv.rows) {
                    for c in c0..<min(c0 + columnStep, mv.columns) {
                        wrong = wrong || mv.failed[r * mv.columns + c]
                        kink = kink || mv.atKink[r * mv.columns + c]
                    }
                }
                line.append(wrong ? "X" : (kink ? "k" : "."))
            }
            lines.append(line)
        }
        if rowStep > 1 || columnStep > 1 {
            lines.append("(folded: each character is a block of \(rowStep) row\(rowStep == 1 ? "" : "s") × \(columnStep) column\(columnStep == 1 ? "" : "s"))")
        }
        return lines
    }

    /// "every entry", "row 2", "columns 0, 3": the shape of the wrong entries when it is simple.
    var pattern: String? {
        let mv = self
        let wrong = { (r: Int, c: Int) in mv.failed[r * mv.columns + c] }
        if mv.failures.count == mv.rows * mv.columns { return mv.rows * mv.columns == 1 ? nil : "every entry" }
        let rows = (0..<mv.rows).filter { r in (0..<mv.columns).contains { wrong(r, $0) } }
        let columns = (0..<mv.columns).filter { c in (0..<mv.rows).contains { wrong($0, c) } }
        let wholeRows = rows.allSatisfy { r in (0..<mv.columns).allSatisfy { wrong(r, $0) } }
        let wholeColumns = columns.allSatisfy { c in (0..<mv.rows).allSatisfy { wrong($0, c) } }
        let noun = mv.quantity == .delta ? "sample" : "row"
        if wholeRows && mv.columns > 1 && mv.rows > 1 {
            return (rows.count == 1 ? "\(noun) " : "\(noun)s ") + rows.map(String.init).joined(separator: ", ")
        }
        if wholeColumns && mv.rows > 1 && mv.columns > 1 {
            return (columns.count == 1 ? "column " : "columns ") + columns.map(String.init).joined(separator: ", ")
        }
        return nil
    }
}

import GradFuzzCore
import GradFuzzFixtures
import GradFuzzMutants

/// Walks the JSON of an answer into matrices, naming the field and the shape expected at each step
/// (`ExpectedShape` says what is wrong with a shape).
struct AnswerReader {
    func matrices(_ value: JSONValue?, field: String, shapes: [ExpectedShape], hint: String) throws(StudentError) -> [Matrix] {
        guard let value, value != .null else { throw StudentError(.missingField, "\"\(field)\": missing; expected \(shapes.count) matrices (\(hint))") }
        guard case let .array(list) = value else {
            throw StudentError(.wrongType, "\"\(field)\": expected a list of \(shapes.count) matrices, got \(value.kind)")
        }
        guard list.count == shapes.count else {
            throw StudentError(.wrongShape, "\"\(field)\": expected \(shapes.count) matrices (one per layer), got \(list.count)")
        }
        var out: [Matrix] = []
        for (l, (item, shape)) in zip(list, shapes).enumerated() {
            let name = "\(field)[\(l)]"
            guard case let .array(rows) = item else {
                throw StudentError(.wrongType, "\"\(name)\": expected a \(shape.rows)×\(shape.columns) matrix (a list of rows), got \(item.kind)")
            }
            var numbers: [[Double]] = []
            for (r, row) in rows.enumerated() {
                if case .number = row {
                    throw StudentError(
                        .wrongShape,
                        "\"\(name)\": expected \(shape.rows)×\(shape.columns) (\(shape.names)) as a list of rows, got a flat list of \(rows.count) numbers — reshape it to (\(shape.rows), \(shape.columns))"
                    )
                }
                numbers.append(try self.numbers(row, field: "\(name)[\(r)]"))
            }
            if let why = shape.mismatch(numbers, owner: "your \(field)") {
                throw StudentError(.wrongShape, "\"\(name)\": \(why)")
            }
            out.append(Matrix(rows: numbers, columns: shape.columns))
        }
        return out
    }

    func vectors(_ value: JSONValue?, field: String, sizes: [Int]) throws(StudentError) -> [[Double]] {
        guard let value, value != .null else {
            throw StudentError(.missingField, "\"\(field)\": missing; expected \(sizes.count) lists of numbers (∂Cost/∂b^(l), shaped as b)")
        }
        guard case let .array(list) = value else {
            throw StudentError(.wrongType, "\"\(field)\": expected a list of \(sizes.count) lists of numbers, got \(value.kind)")
        }
        guard list.count == sizes.count else {
            throw StudentError(.wrongShape, "\"\(field)\": expected \(sizes.count) lists (one per layer), got \(list.count)")
        }
        var out: [[Double]] = []
        for (l, (item, size)) in zip(list, sizes).enumerated() {
            let name = "\(field)[\(l)]"
            if case let .array(entries) = item, let first = entries.first, case .array = first {
                let inner = entries.map { if case let .array(x) = $0 { return x.count } else { return -1 } }
                throw StudentError(
                    .wrongShape,
                    "\"\(name)\": expected a flat list of \(size) numbers (m_\(l + 1)), got a \(entries.count)×\(inner.first ?? 0) nested list — flatten your (\(entries.count), \(inner.first ?? 0)) array"
                )
            }
            let numbers = try self.numbers(item, field: name)
            guard numbers.count == size else {
                throw StudentError(.wrongShape, "\"\(name)\": expected \(size) numbers (m_\(l + 1)), got \(numbers.count)")
            }
            out.append(numbers)
        }
        return out
    }

    func numbers(_ value: JSONValue, field: String) throws(StudentError) -> [Double] {
        guard case let .array(items) = value else { throw StudentError(.wrongType, "\"\(field)\": expected a list of numbers, got \(value.kind)") }
        var out: [Double] = []
        out.reserveCapacity(items.count)
        for (k, item) in items.enumerated() {
            guard case let .number(x) = item else { throw StudentError(.wrongType, "\"\(field)[\(k)]\": expected a number, got \(item.kind)") }
            out.append(x)
        }
        return out
    }
}

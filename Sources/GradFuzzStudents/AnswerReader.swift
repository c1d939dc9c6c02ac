import GradFuzzCore
import GradFuzzFixtures
import GradFuzzMutants

/// Walks the JSON of an answer into matrices, naming the field and the shape expected at each step
/// (`ExpectedShape` says what is wrong with a shape).
struct AnswerReader {
    typealias Node = JSONDocument.Node

    /// The node, unless it is absent or null (which an answer may write for a field it leaves out).
    static func present(_ node: Node?) -> Node? {
        guard let node else { return nil }
        if case .null = node.value { return nil }
        return node
    }

    func matrices(_ value: Node?, field: String, shapes: [ExpectedShape], hint: String) throws(StudentError) -> [Matrix] {
        guard let value = Self.present(value) else {
            throw StudentError(.missingField, "\"\(field)\": missing; expected \(shapes.count) matrices (\(hint))")
        }
        guard case let .array(list) = value.value else {
            throw StudentError(.wrongType, "\"\(field)\": expected a list of \(shapes.count) matrices, got \(value.kind)")
        }
        guard list.count == shapes.count else {
            throw StudentError(.wrongShape, "\"\(field)\": expected \(shapes.count) matrices (one per layer), got \(list.count)")
        }
        var out: [Matrix] = []
        for (l, (item, shape)) in zip(list, shapes).enumerated() {
            let name = "\(field)[\(l)]"
            guard case let .array(rows) = item.value else {
                throw StudentError(.wrongType, "\"\(name)\": expected a \(shape.rows)×\(shape.columns) matrix (a list of rows), got \(item.kind)")
            }
            var numbers: [[Double]] = []
            numbers.reserveCapacity(rows.count)
            for (r, row) in rows.enumerated() {
                if row.double != nil {
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

    func vectors(_ value: Node?, field: String, sizes: [Int]) throws(StudentError) -> [[Double]] {
        guard let value = Self.present(value) else {
            throw StudentError(.missingField, "\"\(field)\": missing; expected \(sizes.count) lists of numbers (∂Cost/∂b^(l), shaped as b)")
        }
        guard case let .array(list) = value.value else {
            throw StudentError(.wrongType, "\"\(field)\": expected a list of \(sizes.count) lists of numbers, got \(value.kind)")
        }
        guard list.count == sizes.count else {
            throw StudentError(.wrongShape, "\"\(field)\": expected \(sizes.count) lists (one per layer), got \(list.count)")
        }
        var out: [[Double]] = []
        for (l, (item, size)) in zip(list, sizes).enumerated() {
            let name = "\(field)[\(l)]"
            if case let .array(entries) = item.value, let first = entries.first, case .array = first.value {
                let columns = if case let .array(x) = first.value { x.count } else { 0 }
                throw StudentError(
                    .wrongShape,
                    "\"\(name)\": expected a flat list of \(size) numbers (m_\(l + 1)), got a \(entries.count)×\(columns) nested list — flatten your (\(entries.count), \(columns)) array"
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

    func numbers(_ value: Node, field: String) throws(StudentError) -> [Double] {
        guard case let .array(items) = value.value else { throw StudentError(.wrongType, "\"\(field)\": expected a list of numbers, got \(value.kind)") }
        var out: [Double] = []
        out.reserveCapacity(items.count)
        for (k, item) in items.enumerated() {
            out.append(try number(item, field: "\(field)[\(k)]"))
        }
        return out
    }

    /// A number, or NaN or ±infinity written as a token; a number beyond Double's range is refused
    /// rather than read as ±infinity, which the student did not mean. The field's name is built
    /// only for a message.
    func number(_ item: Node, field: @autoclosure () -> String) throws(StudentError) -> Double {
        guard let x = item.double else { throw StudentError(.wrongType, "\"\(field())\": expected a number, got \(item.kind)") }
        if !x.isFinite, case let .number(text) = item.value { throw Self.beyondDouble(text, at: item.offset, field: field()) }
        return x
    }

    /// The first number in `node` (in the order written) beyond Double's range, as an error; nil when there is none.
    static func numberBeyondDouble(in node: Node, path: [JSONDocument.PathComponent] = []) -> StudentError? {
        switch node.value {
        case let .number(text):
            return node.double?.isFinite == false ? beyondDouble(text, at: node.offset, field: JSONDocument.path(path)) : nil
        case let .array(items):
            for (n, item) in items.enumerated() { if let error = numberBeyondDouble(in: item, path: path + [.index(n)]) { return error } }
        case let .object(members):
            for (key, value) in members { if let error = numberBeyondDouble(in: value, path: path + [.key(key)]) { return error } }
        default: break
        }
        return nil
    }

    static func beyondDouble(_ text: String, at offset: Int, field: String) -> StudentError {
        StudentError(
            .wrongType,
            "\"\(field)\": the number \(JSONDocument.shown(text)) at byte \(offset + 1) is out of Double's range (±1.8e308); send a float64")
    }
}

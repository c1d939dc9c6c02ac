import Foundation

/// "gradfuzz-protocol/1": how gradfuzz talks to a student's program, in any language.
///
/// JSON Lines over a long-running process's stdin and stdout. The harness writes one request per line,
///
///     {"id": "…", "layers": […], "activations": […], "loss": "…", "W": […], "b": […], "X": […], "Y": […]}
///
/// with the fields of a fixture ("gradfuzz-fixture/1"), and the student answers each with one line,
///
///     {"id": "…", "dW": [shaped as W], "db": [shaped as b]}        optionally with "cost" and "delta"
///     {"id": "…", "error": "message"}                               e.g. an activation it does not support
///
/// "delta" holds L matrices of m rows × m_l: row i is g^(i,l) = ∂L_i/∂z^(i,l), without the 1/m.
/// At the end the harness closes stdin and the student exits.
public enum StudentProtocol {
    public static let version = "gradfuzz-protocol/1"

    /// The request for `problem`, as one line ending in "\n". Numbers are Swift's shortest
    /// round-trip decimals, so the student reads exactly the fixture's values.
    public static func request(id: String, problem: Problem) -> String {
        let raw = RawProblem(problem)
        func row(_ values: [Double]) -> String { "[" + values.map(Fixture.number).joined(separator: ",") + "]" }
        func rows(_ values: [[Double]]) -> String { "[" + values.map(row).joined(separator: ",") + "]" }
        func matrices(_ values: [[[Double]]]) -> String { "[" + values.map(rows).joined(separator: ",") + "]" }
        let fields = [
            "\"id\":" + Fixture.string(id),
            "\"layers\":[" + problem.network.layers.map(String.init).joined(separator: ",") + "]",
            "\"activations\":[" + problem.network.activations.map { Fixture.string($0.rawValue) }.joined(separator: ",") + "]",
            "\"loss\":" + Fixture.string(problem.loss.rawValue),
            "\"W\":" + matrices(raw.W ?? []),
            "\"b\":" + rows(raw.b ?? []),
            "\"X\":" + rows(raw.X ?? []),
            "\"Y\":" + rows(raw.Y ?? []),
        ]
        return "{" + fields.joined(separator: ",") + "}\n"
    }

    /// Reads the student's answer line to the request `id` for `problem`: an answer, an
    /// "unsupported", or a `StudentError` that says what was expected.
    ///
    /// NaN and ±Infinity have no JSON form, but Python's json module prints NaN and Infinity and
    /// C's printf prints nan and inf: those tokens are read as the non-finite numbers they mean, so
    /// that the verdict can show which entries the student's program computed as NaN.
    public static func reply(_ line: some Collection<UInt8>, id: String, problem: Problem) throws(StudentError) -> StudentReply {
        let value = try parse(Data(line))
        guard case let .object(fields) = value else {
            throw StudentError(.notJSON, "expected one JSON object {\"id\": …, \"dW\": …, \"db\": …} per line, got \(value.kind): \(excerpt(line))")
        }
        guard let idValue = fields["id"] else {
            throw StudentError(.missingField, "\"id\": missing; expected the request's id \(Fixture.string(id)) in the answer")
        }
        guard case let .string(answered) = idValue else {
            throw StudentError(.wrongType, "\"id\": expected the string \(Fixture.string(id)), got \(idValue.kind)")
        }
        guard answered == id else {
            throw StudentError(.wrongID, "answered id \(Fixture.string(answered)) to the request with id \(Fixture.string(id)); answer each request, in order, with its own id")
        }
        if let error = fields["error"], error != .null {
            guard case let .string(message) = error else {
                throw StudentError(.wrongType, "\"error\": expected a string saying why, got \(error.kind)")
            }
            return .unsupported(message)
        }
        let shapes = AnswerShapes(problem)
        let reader = TreeReader()
        let dW = try reader.matrices(fields["dW"], field: "dW", shapes: shapes.weights, hint: "∂Cost/∂W^(l), shaped as W")
        let db = try reader.vectors(fields["db"], field: "db", sizes: shapes.biases)
        var cost: Double?
        if let value = fields["cost"], value != .null {
            guard case let .number(x) = value else { throw StudentError(.wrongType, "\"cost\": expected a number, got \(value.kind)") }
            cost = x
        }
        var delta: [Matrix]?
        if let value = fields["delta"], value != .null {
            delta = try reader.matrices(value, field: "delta", shapes: shapes.perSample, hint: "per-sample g^(i,l): one row per sample, m_l columns")
        }
        return .answer(Answer(dW: dW, db: db, cost: cost, delta: delta))
    }

    /// The line as a JSON value: strict JSON first, then with NaN/Infinity tokens read as numbers.
    static func parse(_ data: Data) throws(StudentError) -> JSONValue {
        let strict = JSONDecoder()
        if let value = try? strict.decode(JSONValue.self, from: data) { return value }
        if let normalized = normalizingNonFiniteTokens(data) {
            let lenient = JSONDecoder()
            lenient.allowsJSON5 = true
            if let value = try? lenient.decode(JSONValue.self, from: normalized) { return value }
        }
        var message = "not JSON: \(excerpt(data))"
        if data.isEmpty || data.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
            message = "an empty line; expected one JSON answer per request"
        }
        throw StudentError(.notJSON, message + " — stdout is for answers only; print debugging output to stderr (Python: print(…, file=sys.stderr))")
    }

    /// The first 120 characters of a line, quoted, for a message.
    static func excerpt(_ line: some Collection<UInt8>) -> String {
        let text = String(decoding: line.prefix(480), as: UTF8.self)
        let short = text.count > 120 ? String(text.prefix(120)) + "…" : text
        return Fixture.string(short) + (line.count > 480 ? " (\(line.count) bytes)" : "")
    }

    /// The line with bare nan, inf, infinity tokens (any case, outside strings) rewritten as the
    /// JSON5 tokens NaN and Infinity; nil when there are none.
    static func normalizingNonFiniteTokens(_ data: Data) -> Data? {
        let bytes = [UInt8](data)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var inString = false, escaped = false, changed = false
        var i = 0
        func isLetter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
        while i < bytes.count {
            let c = bytes[i]
            if inString {
                if escaped { escaped = false } else if c == 0x5C { escaped = true } else if c == 0x22 { inString = false }
                out.append(c); i += 1; continue
            }
            if c == 0x22 { inString = true; out.append(c); i += 1; continue }
            if isLetter(c) {
                var j = i
                while j < bytes.count, isLetter(bytes[j]) { j += 1 }
                let word = String(decoding: bytes[i..<j], as: UTF8.self).lowercased()
                switch word {
                case "nan": out += Array("NaN".utf8); changed = true
                case "inf", "infinity": out += Array("Infinity".utf8); changed = true
                default: out += bytes[i..<j]
                }
                i = j; continue
            }
            out.append(c); i += 1
        }
        return changed ? Data(out) : nil
    }
}

/// What a student answered to one request.
public enum StudentReply: Equatable, Sendable {
    case answer(Answer)
    /// {"error": message}: the student does not handle this problem (not a failure).
    case unsupported(String)
}

/// A student's {"error": …} answer, as an implementation throws it: the problem is not supported.
/// A Swift student throws it too.
public struct Unsupported: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "unsupported: \(message)" }
}

/// Why a student's program gave no usable answer, said so that its author can fix it.
public struct StudentError: Error, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable {
        case notFound, cannotStart, exited, timedOut, lineTooLong
        case notJSON, wrongID, missingField, wrongType
        /// An answer in step with its request but shaped wrong: a wrong answer, not misbehaviour.
        case wrongShape
    }

    public var kind: Kind
    public var message: String
    /// The last lines the student wrote to stderr, when it wrote any.
    public var stderrTail: String

    public init(_ kind: Kind, _ message: String, stderrTail: String = "") {
        self.kind = kind
        self.message = message
        self.stderrTail = stderrTail
    }

    /// A wrong answer (validation counts it as failed) rather than a misbehaving program.
    public var isWrongAnswer: Bool { kind == .wrongShape }

    /// Whether the lines may be out of step with the requests, so the student must be restarted.
    var desynchronizes: Bool { [.notJSON, .wrongID, .lineTooLong].contains(kind) }

    public var description: String { message }
}

/// The shapes an answer to a problem must have.
struct AnswerShapes {
    /// Per layer: rows, columns and how the seed names them.
    var weights: [(rows: Int, columns: Int, names: String)]
    var biases: [Int]
    var perSample: [(rows: Int, columns: Int, names: String)]

    init(_ problem: Problem) {
        let layers = problem.network.layers, m = problem.batchSize
        weights = (1..<layers.count).map { (layers[$0 - 1], layers[$0], "m_\($0 - 1) rows × m_\($0) columns, shaped as W[\($0 - 1)]") }
        biases = Array(layers.dropFirst())
        perSample = (1..<layers.count).map { (m, layers[$0], "one row per sample (m = \(m)) × m_\($0) columns") }
    }

    /// Why `answer` cannot be compared with a problem's expected values, or nil when it can:
    /// the check a Swift implementation's answer gets in place of the protocol's.
    static func problem(with answer: Answer, for problem: Problem) -> StudentError? {
        let shapes = AnswerShapes(problem)
        func check(_ ms: [Matrix], _ field: String, _ want: [(rows: Int, columns: Int, names: String)]) -> StudentError? {
            guard ms.count == want.count else {
                return StudentError(.wrongShape, "\"\(field)\": expected \(want.count) matrices (one per layer), got \(ms.count)")
            }
            for (l, (m, w)) in zip(ms, want).enumerated() where m.rows != w.rows || m.columns != w.columns {
                return StudentError(.wrongShape, shapeMessage(field: "\(field)[\(l)]", rows: w.rows, columns: w.columns,
                                                              gotRows: m.rows, gotColumns: m.columns, names: w.names))
            }
            return nil
        }
        if let e = check(answer.dW, "dW", shapes.weights) { return e }
        if let e = check(answer.db.map { Matrix(row: $0) }, "db", shapes.biases.map { (1, $0, "a list of \($0) numbers") }) { return e }
        if let delta = answer.delta, let e = check(delta, "delta", shapes.perSample) { return e }
        return nil
    }

    /// "expected 3×5 (…), got 5×3 — is your dW transposed?"
    static func shapeMessage(field: String, rows: Int, columns: Int, gotRows: Int, gotColumns: Int, names: String) -> String {
        var message = "\"\(field)\": expected \(rows)×\(columns) (\(names)), got \(gotRows)×\(gotColumns)"
        if gotRows == columns && gotColumns == rows && rows != columns {
            let name = field.prefix { $0 != "[" }
            message += " — is your \(name) transposed?"
        }
        return message
    }
}

/// Walks the JSON of an answer into matrices, naming the field and the shape expected at each step.
private struct TreeReader {
    func matrices(_ value: JSONValue?, field: String, shapes: [(rows: Int, columns: Int, names: String)], hint: String) throws(StudentError) -> [Matrix] {
        guard let value, value != .null else { throw StudentError(.missingField, "\"\(field)\": missing; expected \(shapes.count) matrices (\(hint))") }
        guard case let .array(list) = value else { throw StudentError(.wrongType, "\"\(field)\": expected a list of \(shapes.count) matrices, got \(value.kind)") }
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
                    throw StudentError(.wrongShape, "\"\(name)\": expected \(shape.rows)×\(shape.columns) (\(shape.names)) as a list of rows, got a flat list of \(rows.count) numbers — reshape it to (\(shape.rows), \(shape.columns))")
                }
                numbers.append(try self.numbers(row, field: "\(name)[\(r)]"))
            }
            let columns = numbers.first?.count ?? 0
            if let r = numbers.firstIndex(where: { $0.count != columns }) {
                throw StudentError(.wrongShape, "\"\(name)\": rows of different lengths (row 0 has \(columns), row \(r) has \(numbers[r].count)); expected \(shape.rows)×\(shape.columns)")
            }
            guard numbers.count == shape.rows, columns == shape.columns else {
                throw StudentError(.wrongShape, AnswerShapes.shapeMessage(field: name, rows: shape.rows, columns: shape.columns,
                                                                          gotRows: numbers.count, gotColumns: columns, names: shape.names))
            }
            out.append(Matrix(rows: numbers, columns: columns))
        }
        return out
    }

    func vectors(_ value: JSONValue?, field: String, sizes: [Int]) throws(StudentError) -> [[Double]] {
        guard let value, value != .null else { throw StudentError(.missingField, "\"\(field)\": missing; expected \(sizes.count) lists of numbers (∂Cost/∂b^(l), shaped as b)") }
        guard case let .array(list) = value else { throw StudentError(.wrongType, "\"\(field)\": expected a list of \(sizes.count) lists of numbers, got \(value.kind)") }
        guard list.count == sizes.count else {
            throw StudentError(.wrongShape, "\"\(field)\": expected \(sizes.count) lists (one per layer), got \(list.count)")
        }
        var out: [[Double]] = []
        for (l, (item, size)) in zip(list, sizes).enumerated() {
            let name = "\(field)[\(l)]"
            if case let .array(entries) = item, let first = entries.first, case .array = first {
                let inner = entries.map { if case let .array(x) = $0 { return x.count } else { return -1 } }
                throw StudentError(.wrongShape, "\"\(name)\": expected a flat list of \(size) numbers (m_\(l + 1)), got a \(entries.count)×\(inner.first ?? 0) nested list — flatten your (\(entries.count), \(inner.first ?? 0)) array")
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

/// Any JSON value, read with JSONDecoder so that every number reads back bit for bit.
indirect enum JSONValue: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let x = try? c.decode(Bool.self) { self = .bool(x) }
        else if let x = try? c.decode(Double.self) { self = .number(x) }
        else if let x = try? c.decode(String.self) { self = .string(x) }
        else if let x = try? c.decode([JSONValue].self) { self = .array(x) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    /// "a number", "a list of 3", …: what a message says was found.
    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case let .number(x): return "the number \(x)"
        case .string: return "a string"
        case let .array(a): return "a list of \(a.count)"
        case .object: return "an object"
        }
    }
}

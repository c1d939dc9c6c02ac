import Foundation
import GradFuzzCore
import GradFuzzFixtures
import GradFuzzMutants

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
    /// `describe` adds `"describe": true`: the program may answer with the family it supports
    /// (`FamilyDeclaration`) instead of the gradients.
    public static func request(id: String, problem: Problem, describe: Bool = false) -> String {
        var fields = [
            "\"id\":" + JSONText.string(id),
            "\"layers\":[" + problem.network.layers.map(String.init).joined(separator: ",") + "]",
            "\"activations\":[" + problem.network.activations.map { JSONText.string($0.rawValue) }.joined(separator: ",") + "]",
            "\"loss\":" + JSONText.string(problem.loss.rawValue),
            "\"W\":" + JSONText.compactMatrices(problem.network.W),
            "\"b\":" + JSONText.compactRows(problem.network.b),
            "\"X\":" + JSONText.compactRows(problem.X.nested),
            "\"Y\":" + JSONText.compactRows(problem.Y.nested),
        ]
        if describe { fields.append("\"describe\":true") }
        return "{" + fields.joined(separator: ",") + "}\n"
    }

    /// Reads the student's answer line to the request `id` for `problem`: an answer, an
    /// "unsupported", or a `StudentError` that says what was expected.
    ///
    /// NaN and ±Infinity have no JSON form, but Python's json module prints NaN and Infinity and
    /// C's printf prints nan and inf: those tokens are read as the non-finite numbers they mean, so
    /// that the verdict can show which entries the student's program computed as NaN.
    public static func reply(_ line: some Collection<UInt8>, id: String, problem: Problem, describe: Bool = false) throws(StudentError)
        -> StudentReply
    {
        let value = try parse(Data(line))
        guard case let .object(fields) = value else {
            throw StudentError(.notJSON, "expected one JSON object {\"id\": …, \"dW\": …, \"db\": …} per line, got \(value.kind): \(excerpt(line))")
        }
        guard let idValue = fields["id"] else {
            throw StudentError(.missingField, "\"id\": missing; expected the request's id \(JSONText.string(id)) in the answer")
        }
        guard case let .string(answered) = idValue else {
            throw StudentError(.wrongType, "\"id\": expected the string \(JSONText.string(id)), got \(idValue.kind)")
        }
        guard answered == id else {
            throw StudentError(
                .wrongID,
                "answered id \(JSONText.string(answered)) to the request with id \(JSONText.string(id)); answer each request, in order, with its own id")
        }
        if describe, fields["family"] != nil { return .described(try FamilyDeclaration.read(Data(line))) }
        if let error = fields["error"], error != .null {
            guard case let .string(message) = error else {
                throw StudentError(.wrongType, "\"error\": expected a string saying why, got \(error.kind)")
            }
            return .unsupported(message)
        }
        let shapes = AnswerShape(problem)
        let reader = AnswerReader()
        let dW = try reader.matrices(fields["dW"], field: "dW", shapes: shapes.weights, hint: "∂Cost/∂W^(l), shaped as W")
        let db = try reader.vectors(fields["db"], field: "db", sizes: shapes.biases.map(\.columns))
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
        if let why = diagnosis(data) { throw StudentError(.notJSON, why) }
        var message = "not JSON: \(excerpt(data))"
        if data.isEmpty || data.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
            message = "an empty line; expected one JSON answer per request"
        }
        throw StudentError(.notJSON, message + " — stdout is for answers only; print debugging output to stderr (Python: print(…, file=sys.stderr))")
    }

    /// What is wrong with a line that JSONDecoder would not read but that was meant as an answer:
    /// invalid UTF-8, a number beyond Double's range, or a syntax error in what starts as an object.
    /// Nil for a line that is not an answer at all (debugging output, say).
    static func diagnosis(_ data: Data) -> String? {
        if let (offset, byte) = JSONDocument.invalidUTF8(in: data) {
            return
                "invalid UTF-8 at byte \(offset + 1) (0x\(String(byte, radix: 16, uppercase: true))) of the answer line; write text as UTF-8: \(excerpt(data))"
        }
        let document: JSONDocument
        do { document = try JSONDocument(data, nonFiniteTokens: true) } catch {
            guard data.first(where: { ![0x20, 0x09, 0x0D].contains($0) }) == UInt8(ascii: "{") else { return nil }
            return "not valid JSON at line \(error.line), column \(error.column): \(error.message): \(excerpt(data))"
        }
        func outOfRange(_ node: JSONDocument.Node, _ path: [JSONDocument.PathComponent]) -> String? {
            switch node.value {
            case let .number(text):
                guard Double(text)?.isFinite != true else { return nil }
                return
                    "\"\(JSONDocument.path(path))\": the number \(JSONDocument.shown(text)) at byte \(node.offset + 1) is out of Double's range (±1.8e308); send a float64"
            case let .array(items):
                for (n, item) in items.enumerated() { if let why = outOfRange(item, path + [.index(n)]) { return why } }
            case let .object(members):
                for (key, value) in members { if let why = outOfRange(value, path + [.key(key)]) { return why } }
            default: break
            }
            return nil
        }
        return outOfRange(document.root, [])
    }

    /// The first 120 characters of a line, quoted, for a message.
    static func excerpt(_ line: some Collection<UInt8>) -> String {
        let text = String(decoding: line.prefix(480), as: UTF8.self)
        let short = text.count > 120 ? String(text.prefix(120)) + "…" : text
        return JSONText.string(short) + (line.count > 480 ? " (\(line.count) bytes)" : "")
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
    /// The family the program supports, in reply to a describe request.
    case described(FamilyStatement)
}

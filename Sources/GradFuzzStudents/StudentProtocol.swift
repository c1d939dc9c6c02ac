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
    /// C's printf prints nan, inf and -nan: those tokens are read as the non-finite numbers they
    /// mean, so that the verdict can show which entries the student's program computed as NaN.
    /// In reply to a describe request (`describe`), an answer with a "family" declares it (`FamilyDeclaration`).
    public static func reply(_ line: some Collection<UInt8>, id: String, problem: Problem, describe: Bool = false) throws(StudentError)
        -> StudentReply
    {
        let root = try parse(line)
        if describe, root["family"] != nil { return .described(try FamilyDeclaration.read(Data(line))) }
        do { return try reply(root, line: line, id: id, problem: problem) } catch {
            // A number beyond Double's range is said first, whatever else is wrong: it is a mistake
            // in how the program prints numbers, which no change of shape or id would fix.
            throw AnswerReader.numberBeyondDouble(in: root) ?? error
        }
    }

    /// The fields of an answer line read as JSON, checked in order: the id, an error, then the values.
    private static func reply(
        _ root: JSONDocument.Node, line: some Collection<UInt8>, id: String, problem: Problem
    ) throws(StudentError) -> StudentReply {
        guard case .object = root.value else {
            throw StudentError(.notJSON, "expected one JSON object {\"id\": …, \"dW\": …, \"db\": …} per line, got \(root.kind): \(excerpt(line))")
        }
        guard let idValue = root["id"] else {
            throw StudentError(.missingField, "\"id\": missing; expected the request's id \(JSONText.string(id)) in the answer")
        }
        guard case let .string(answered) = idValue.value else {
            throw StudentError(.wrongType, "\"id\": expected the string \(JSONText.string(id)), got \(idValue.kind)")
        }
        guard answered == id else {
            throw StudentError(
                .wrongID,
                "answered id \(JSONText.string(answered)) to the request with id \(JSONText.string(id)); answer each request, in order, with its own id")
        }
        if let error = AnswerReader.present(root["error"]) {
            guard case let .string(message) = error.value else {
                throw StudentError(.wrongType, "\"error\": expected a string saying why, got \(error.kind)")
            }
            return .unsupported(message)
        }
        let shapes = AnswerShape(problem)
        let reader = AnswerReader()
        let dW = try reader.matrices(root["dW"], field: "dW", shapes: shapes.weights, hint: "∂Cost/∂W^(l), shaped as W")
        let db = try reader.vectors(root["db"], field: "db", sizes: shapes.biases.map(\.columns))
        let cost = try AnswerReader.present(root["cost"]).map { value throws(StudentError) in try reader.number(value, field: "cost") }
        let delta = try AnswerReader.present(root["delta"]).map { value throws(StudentError) in
            try reader.matrices(value, field: "delta", shapes: shapes.perSample, hint: "per-sample g^(i,l): one row per sample, m_l columns")
        }
        return .answer(Answer(dW: dW, db: db, cost: cost, delta: delta))
    }

    /// The line as one JSON value, read once, with the non-finite tokens; or why it is not one: a
    /// key written twice, invalid UTF-8, a syntax error in what starts as an object (with its
    /// column), or a line that is not an answer at all (debugging output, say).
    static func parse(_ line: some Collection<UInt8>) throws(StudentError) -> JSONDocument.Node {
        do { return try JSONDocument(line, nonFiniteTokens: true).root } catch {
            if let field = error.field { throw StudentError(.duplicateKey, "\"\(field)\": \(error.message)") }
            if let (offset, byte) = JSONDocument.invalidUTF8(in: line) {
                let shown = String(byte, radix: 16, uppercase: true)
                throw StudentError(.notJSON, "invalid UTF-8 at byte \(offset + 1) (0x\(shown)) of the answer line; write text as UTF-8: \(excerpt(line))")
            }
            let blank: Set<UInt8> = [0x20, 0x09, 0x0D]
            if line.first(where: { !blank.contains($0) }) == UInt8(ascii: "{") {
                throw StudentError(.notJSON, "not valid JSON at line \(error.line), column \(error.column): \(error.message): \(excerpt(line))")
            }
            let message = line.allSatisfy(blank.contains) ? "an empty line; expected one JSON answer per request" : "not JSON: \(excerpt(line))"
            throw StudentError(.notJSON, message + " — stdout is for answers only; print debugging output to stderr (Python: print(…, file=sys.stderr))")
        }
    }

    /// The first 120 characters of a line, quoted, for a message.
    static func excerpt(_ line: some Collection<UInt8>) -> String {
        let text = String(decoding: line.prefix(480), as: UTF8.self)
        let short = text.count > 120 ? String(text.prefix(120)) + "…" : text
        return JSONText.string(short) + (line.count > 480 ? " (\(line.count) bytes)" : "")
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

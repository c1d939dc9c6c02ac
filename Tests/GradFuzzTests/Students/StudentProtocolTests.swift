import Foundation
import GradFuzzCore
import GradFuzzTestSupport
import Testing

@testable import GradFuzzStudents

/// A small problem: layers [3, 4, 2] (W[0] is 3×4, W[1] is 4×2), batch 2.
private let problem = randomProblem([3, 4, 2], [.tanh, .identity], .squaredError, batch: 2, seed: 7)

/// A reply line with the given fields, and the reference's dW and db where not given.
private func line(_ fields: [String: String]) -> [UInt8] {
    let g = Reference.backprop(problem)
    var all = ["id": "\"r1\"", "dW": json(g.dW.map(\.nested)), "db": json(g.db)]
    for (k, v) in fields { all[k] = v }
    return Array(("{" + all.filter { $0.value != "-" }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}").utf8)
}

/// Nested lists of numbers as JSON, each number in its shortest round-trip form.
func json(_ value: Any) -> String {
    if let x = value as? Double { return "\(x)" }
    if let list = value as? [Any] { return "[" + list.map(json).joined(separator: ", ") + "]" }
    return "null"
}

private func error(_ bytes: [UInt8], id: String = "r1") -> StudentError? {
    do { _ = try StudentProtocol.reply(bytes, id: id, problem: problem); return nil } catch { return error }
}

@Test func requestReadsBackAsTheSameProblemBitForBit() throws {
    var rng = SplitMix64(seed: 3)
    var p = problem
    p.network.W[0][1, 2] = 0.1 + 0.2  // 0.30000000000000004: needs 17 digits
    p.network.b[1][0] = rng.normal() * 1e-300
    p.X[0, 0] = -1.7976931348623157e308 / 1e300
    let line = StudentProtocol.request(id: "fixture \"one\"", problem: p)
    #expect(line.hasSuffix("\n") && line.dropLast().allSatisfy { $0 != "\n" }, "one line")
    let raw = try JSONDecoder().decode(RawProblem.self, from: Data(line.utf8))
    let back = try Problem(validating: raw)
    #expect(back == p, "expected \(p), got \(back)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    #expect(object["id"] as? String == "fixture \"one\"")
    #expect(Set(object.keys) == ["id", "layers", "activations", "loss", "W", "b", "X", "Y"])
}

@Test func aCorrectReplyDecodesIntoTheAnswer() throws {
    let g = Reference.backprop(problem)
    let reply = try StudentProtocol.reply(line(["cost": "\(g.cost)"]), id: "r1", problem: problem)
    #expect(reply == .answer(Answer(dW: g.dW, db: g.db, cost: g.cost)))
}

@Test func anErrorReplyIsUnsupported() throws {
    let reply = try StudentProtocol.reply(Array("{\"id\": \"r1\", \"error\": \"softmax not done\"}".utf8), id: "r1", problem: problem)
    #expect(reply == .unsupported("softmax not done"))
}

@Test func aTransposedMatrixIsNamedAsSuch() throws {
    let g = Reference.backprop(problem)
    let transposed = json([g.dW[0].transposed.nested, g.dW[1].nested])
    let e = try #require(error(line(["dW": transposed])))
    #expect(e.kind == .wrongShape && e.failureKind == .wrongAnswer)
    #expect(e.message == "\"dW[0]\": expected 3×4 (m_0 rows × m_1 columns, shaped as W[0]), got 4×3 — is your dW transposed?", "got: \(e.message)")
}

@Test func shapeMistakesSayWhatWasExpected() throws {
    let cases: [([String: String], String)] = [
        (["db": "[[[1],[2],[3],[4]], [1, 2]]"], "\"db[0]\": expected a flat list of 4 numbers (m_1), got a 4×1 nested list — flatten your (4, 1) array"),
        (["db": "[[1, 2, 3], [1, 2]]"], "\"db[0]\": expected 4 numbers (m_1), got 3"),
        (["dW": "[[[1, 2, 3, 4]]]"], "\"dW\": expected 2 matrices (one per layer), got 1"),
        (
            ["dW": "[[1, 2, 3], [1, 2]]"],
            "\"dW[0]\": expected 3×4 (m_0 rows × m_1 columns, shaped as W[0]) as a list of rows, got a flat list of 3 numbers — reshape it to (3, 4)"
        ),
        (["delta": "[[[1, 2, 3, 4]], [[1, 2], [3, 4]]]"], "\"delta[0]\": expected 2×4 (one row per sample (m = 2) × m_1 columns), got 1×4"),
    ]
    for (fields, message) in cases {
        let e = try #require(error(line(fields)))
        #expect(e.message == message, "expected \(message), got \(e.message)")
    }
}

@Test func protocolMistakesAreErrorsWithClearMessages() throws {
    let cases: [([UInt8], StudentError.Kind, String)] = [
        (Array("dW = [[0.1 0.2]]".utf8), .notJSON, "not JSON: \"dW = [[0.1 0.2]]\""),
        (Array("".utf8), .notJSON, "an empty line"),
        (Array("[1, 2]".utf8), .notJSON, "expected one JSON object"),
        (line(["id": "\"r2\""]), .wrongID, "answered id \"r2\" to the request with id \"r1\""),
        (line(["id": "-"]), .missingField, "\"id\": missing"),
        (line(["id": "1"]), .wrongType, "\"id\": expected the string \"r1\", got the number 1"),
        (line(["dW": "-"]), .missingField, "\"dW\": missing; expected 2 matrices"),
        (line(["db": "-"]), .missingField, "\"db\": missing"),
        (line(["cost": "\"low\""]), .wrongType, "\"cost\": expected a number, got the string \"low\""),
        (line(["dW": "[[[1, 2, 3, \"x\"]], []]"]), .wrongType, "\"dW[0][0][3]\": expected a number, got the string \"x\""),
    ]
    for (bytes, kind, text) in cases {
        let e = try #require(error(bytes), "no error for \(String(decoding: bytes, as: UTF8.self))")
        #expect(e.kind == kind && e.message.contains(text), "expected \(kind) with “\(text)”, got \(e.kind): \(e.message)")
        #expect(e.failureKind == .misbehaved)
    }
}

@Test func nanAndInfinityTokensReadAsNonFiniteNumbers() throws {
    // Python's json prints NaN and Infinity; printf prints nan and inf. None is JSON; all mean a number.
    // printf prints -nan for the NaN that 0.0/0.0 gives on x86.
    for (nan, inf) in [("NaN", "-Infinity"), ("nan", "-inf"), ("NAN", "-INF"), ("-nan", "-infinity")] {
        let reply = try StudentProtocol.reply(line(["db": "[[\(nan), 1, 2, 3], [\(inf), 1]]"]), id: "r1", problem: problem)
        guard case let .answer(answer) = reply else { Issue.record("expected an answer, got \(reply)"); continue }
        #expect(answer.db[0][0].isNaN && answer.db[1][0] == -.infinity, "got \(answer.db)")
        #expect(answer.db[0][1] == 1)
    }
    // A string that says "nan" stays a string.
    let e = try #require(error(line(["cost": "\"nan\""])))
    #expect(e.kind == .wrongType)
}

@Test func commandLinesSplitAsAShellWould() {
    #expect(ShellWords.split("python3 student.py") == ["python3", "student.py"])
    #expect(ShellWords.split("  python3  'my student.py' --name \"A B\" x\\ y ") == ["python3", "my student.py", "--name", "A B", "x y"])
    #expect(ShellWords.split("julia -e ''") == ["julia", "-e", ""])
    #expect(ShellWords.quoted(["python3", "my student.py", "it's"]) == "python3 'my student.py' 'it'\\''s'")
}

@Test func aLineSplitterCutsOffAnEndlessLine() async {
    let inbox = LineInbox()
    var splitter = LineSplitter(limit: 10)
    let chunks = ["short\nanother li", "ne that is far too long", " still going\nok\r\n"]
    for chunk in chunks { Array(chunk.utf8).withUnsafeBytes { splitter.feed($0, into: inbox) } }
    inbox.close()
    var events: [String] = []
    for _ in 0..<4 {
        switch await inbox.next() {
        case let .line(b)?: events.append(String(decoding: b, as: UTF8.self))
        case .tooLong?: events.append("<too long>")
        default: events.append("<end>")
        }
    }
    #expect(events == ["short", "<too long>", "ok", "<end>"])
}

@Test func aLineSplitterReportsALastLineWithoutItsNewline() async {
    func events(_ text: String, limit: Int = 100) async -> [String] {
        let inbox = LineInbox()
        var splitter = LineSplitter(limit: limit)
        Array(text.utf8).withUnsafeBytes { splitter.feed($0, into: inbox) }
        splitter.finish(into: inbox)
        inbox.close()
        var out: [String] = []
        while true {
            switch await inbox.next() {
            case let .line(b)?: out.append(String(decoding: b, as: UTF8.self))
            case let .unterminated(b)?: out.append("<unterminated \(String(decoding: b, as: UTF8.self))>")
            case .tooLong?: out.append("<too long>")
            default: return out
            }
        }
    }
    #expect(await events("one\n{\"id\"") == ["one", "<unterminated {\"id\">"])
    #expect(await events("one\n \r\t") == ["one"], "blank: nothing was begun")
    #expect(await events("one\nfar too long for it", limit: 5) == ["one", "<too long>"], "reported once, when cut off")
}

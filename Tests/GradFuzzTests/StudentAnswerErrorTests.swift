import Foundation
import GradFuzzTestSupport
import Testing

@testable import GradFuzz
@testable import GradFuzzCore
@testable import GradFuzzFixtures
@testable import GradFuzzStudents

// An answer line that is JSON-shaped but unreadable is told what is actually wrong with it, not
// that stdout is for answers only.

private let problem = randomProblem([3, 4, 2], [.tanh, .identity], .squaredError, batch: 2, seed: 7)

private func message(_ text: [UInt8]) -> String? {
    do { _ = try StudentProtocol.reply(text, id: "r1", problem: problem); return nil } catch { return error.message }
}

@Test func aNumberBeyondDoubleIsNamedWithItsField() {
    let huge = "1" + String(repeating: "7", count: 399)
    let line = "{\"id\": \"r1\", \"dW\": [[[0.5, \(huge), 1]]], \"db\": [[1, 2, 3, 4], [1, 2]]}"
    let said = message(Array(line.utf8))
    #expect(said?.contains("\"dW[0][0][1]\"") == true, "\(said ?? "no error")")
    #expect(said?.contains("out of Double's range") == true, "\(said ?? "no error")")
    #expect(said?.contains("400 digits") == true, "\(said ?? "no error")")
    #expect(said?.contains("stdout is for answers only") == false, "\(said ?? "no error")")
}

@Test func invalidUTF8IsNamedWithItsByte() {
    var line = Array("{\"id\": \"r1".utf8)
    line.append(0xFF)
    line += Array("\", \"dW\": [], \"db\": []}".utf8)
    let said = message(line)
    #expect(said?.contains("invalid UTF-8 at byte 11 (0xFF)") == true, "\(said ?? "no error")")
    #expect(said?.contains("stdout is for answers only") == false, "\(said ?? "no error")")
}

@Test func aSyntaxErrorInAnAnswerGivesItsColumn() {
    let said = message(Array("{\"id\": \"r1\", \"dW\": [[[1, 2]]] \"db\": []}".utf8))
    #expect(said?.contains("line 1, column 31") == true, "\(said ?? "no error")")
}

@Test func aDuplicateKeyIsRefusedWithItsName() throws {
    // Python's json keeps the second "dW", another reader may keep the first: the answer is ambiguous.
    let g = Reference.backprop(problem)
    let right = json(g.dW.map(\.nested)), zeros = json(g.dW.map { Matrix(rows: $0.rows, columns: $0.columns).nested })
    let twice = Array("{\"id\": \"r1\", \"dW\": \(right), \"dW\": \(zeros), \"db\": \(json(g.db))}".utf8)
    let e = try #require(error(twice), "a reply with two dW was taken")
    #expect(e.kind == .duplicateKey && e.failureKind == .misbehaved, "\(e.kind): \(e.message)")
    #expect(e.message.hasPrefix("\"dW\": appears twice"), "\(e.message)")
    #expect(!e.message.contains("\n"), "one line: \(e.message)")
}

private func error(_ text: [UInt8]) -> StudentError? {
    do { _ = try StudentProtocol.reply(text, id: "r1", problem: problem); return nil } catch { return error }
}

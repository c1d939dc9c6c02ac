import Foundation
import GradFuzzTestSupport
import Testing

@testable import GradFuzz
@testable import GradFuzzCore
@testable import GradFuzzFixtures
@testable import GradFuzzStudents

// Bad fixture and problem files get one clear error that names the field and what was expected.

/// The text of a valid fixture (layers [2, 3, 2], tanh then identity, hinge, batch 2).
private func fixtureText(id: String = "t") -> String {
    let fixture = Fixture(
        id: id, description: "", origin: .curated,
        problem: randomProblem([2, 3, 2], [.tanh, .identity], .hinge, batch: 2, seed: 3))
    return String(decoding: fixture.json(), as: UTF8.self)
}

/// The fixture's text with `old` replaced by `new` (which must be there).
private func edited(
    _ old: String, _ new: String, in text: String = fixtureText(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> Data {
    #expect(text.contains(old), "the fixture has no \(old)", sourceLocation: sourceLocation)
    return Data(text.replacingOccurrences(of: old, with: new).utf8)
}

private func decodingError(_ data: Data) -> InputError? {
    do { _ = try Fixture.decode(data); return nil } catch { return error }
}

@Test(arguments: [Activation.tanh, .sigmoid, .relu])
func aForwardPassThatOverflowsIsRefusedWhateverTheActivation(_ hidden: Activation) throws {
    // The hidden layer's z overflows to ±∞; tanh and sigmoid map that to something finite, and a
    // sigmoid output layer after relu does too, so the loss alone does not show it.
    let problem = randomProblem([2, 3, 2], [hidden, .sigmoid], .squaredError, batch: 2, seed: 11)
    var raw = RawProblem(problem)
    raw.W![0] = [[1e308, -1e308, 1e308], [1e308, -1e308, 1e308]]
    raw.X = [[10, 10], [0.5, 0.25]]
    do {
        _ = try Problem(validating: raw)
        Issue.record("a forward pass through 1e308 × 10 was accepted with \(hidden.rawValue)")
    } catch {
        #expect(error.field == "W", "\(error)")
        #expect(error.message.contains("z^(1) of sample 0 overflows"), "\(error)")
    }
}

@Test func aNonIntegerOrHugeLayerSizeNamesTheField() {
    for size in ["4.5", "99999999999999999999999", "2.5e-1"] {
        let error = decodingError(edited("\"layers\": [2, 3, 2]", "\"layers\": [2, \(size), 2]"))
        #expect(error?.field == "layers[1]", "\(String(describing: error))")
        #expect(error?.message.contains("expected a whole number") == true, "\(String(describing: error))")
        #expect(error?.message.contains("not valid JSON") == false, "\(String(describing: error))")
        #expect(error?.message.contains(size) == true, "\(String(describing: error))")
    }
}

@Test func aJSONSyntaxErrorGivesItsLineAndColumn() {
    // Line 6 of the fixture is "layers"; a doubled comma after its first size.
    let data = edited("\"layers\": [2, 3, 2]", "\"layers\": [2,, 3, 2]")
    let error = decodingError(data)
    #expect(error?.field == "(file)")
    #expect(error?.message.contains("line 6, column 16") == true, "\(String(describing: error))")
    let truncated = decodingError(Data("{\n  \"schema\": \"gradfuzz-fixture/1\",\n  \"layers\": [1".utf8))
    #expect(truncated?.message.contains("line 3, column 15") == true, "\(String(describing: truncated))")
    #expect(truncated?.message.contains("end of the text") == true, "\(String(describing: truncated))")
}

@Test func nanAndInfinityInAFixtureAreNamedByField() {
    let text = fixtureText()
    // The first number of W[0] (row 0), whatever it is.
    let start = text.range(of: "\"W\": [\n    [\n      [")!.upperBound
    let end = text[start...].firstIndex(of: ",")!
    for token in ["NaN", "Infinity", "-Infinity", "1e999"] {
        let data = Data((text[..<start] + token + text[end...]).utf8)
        let error = decodingError(data)
        #expect(error?.field == "W[0][0][0]", "\(token): \(String(describing: error))")
        #expect(error?.message.contains("expected a finite number") == true, "\(token): \(String(describing: error))")
    }
}

@Test func typeMismatchesSayWhatWasExpectedInJSONWords() {
    let cases: [(Data, String, String)] = [
        (edited("\"X\": [", "\"X\": {\"rows\": 1}, \"unused\": ["), "X", "expected a list"),
        (edited("\"origin\": {\"kind\":\"curated\"}", "\"origin\": 5"), "origin", "expected an object"),
        (edited("\"loss\": \"hinge\"", "\"loss\": 3"), "loss", "expected a string"),
        (edited("\"rtol\": ", "\"rtol\": \"small\", \"other\": "), "tolerance.rtol", "expected a number"),
    ]
    for (data, field, words) in cases {
        let error = decodingError(data)
        #expect(error?.field == field, "\(String(describing: error))")
        #expect(error?.message.contains(words) == true, "\(String(describing: error))")
        for leak in ["Dictionary", "Array", "String", "Double", "Optional"] {
            #expect(error?.message.contains(leak) == false, "\(String(describing: error)) names a Swift type")
        }
    }
}

@Test func aDuplicateKeyIsAnErrorNamingTheKey() {
    let top = decodingError(edited("\"loss\": \"hinge\",", "\"loss\": \"hinge\",\n  \"loss\": \"hinge\","))
    #expect(top?.field == "loss", "\(String(describing: top))")
    #expect(top?.message.contains("twice") == true, "\(String(describing: top))")
    let nested = decodingError(edited("\"tolerance\": {\"rtol\": ", "\"tolerance\": {\"atol\": 1, \"rtol\": "))
    #expect(nested?.field == "tolerance.atol", "\(String(describing: nested))")
}

@Test func aMissingOrEmptyIDIsAnError() {
    let missing = decodingError(edited("  \"id\": \"t\",\n", ""))
    #expect(missing?.field == "id", "\(String(describing: missing))")
    #expect(missing?.message.contains("missing") == true, "\(String(describing: missing))")
    let empty = decodingError(edited("\"id\": \"t\"", "\"id\": \"\""))
    #expect(empty?.field == "id", "\(String(describing: empty))")
    #expect(empty?.message.contains("empty") == true, "\(String(describing: empty))")
}

@Test func anIDWithControlCharactersIsRefused() {
    for id in ["red\u{1B}[31m", "two\nlines", "tab\there", "del\u{7F}", "c1\u{9B}"] {
        let error = decodingError(Data(fixtureText(id: id).utf8))
        #expect(error?.field == "id", "\(id.debugDescription): \(String(describing: error))")
        #expect(error?.message.contains("control character") == true, "\(String(describing: error))")
        #expect(
            error?.description.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) } == false,
            "the message itself holds no control character")
    }
    #expect(decodingError(Data(fixtureText(id: "ünïcode · fine").utf8)) == nil)
}

@Test func aSymlinkToAFixtureFolderIsFollowed() throws {
    let directory = try temporaryDirectory("fixture-link")
    defer { try? FileManager.default.removeItem(at: directory) }
    let real = directory.appendingPathComponent("real")
    try FileManager.default.createDirectory(at: real.appendingPathComponent("inner"), withIntermediateDirectories: true)
    try Data(fixtureText().utf8).write(to: real.appendingPathComponent("a.json"))
    try Data(fixtureText().utf8).write(to: real.appendingPathComponent("inner/b.json"))
    let link = directory.appendingPathComponent("link")
    try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "real")
    let files = try Fixture.files(in: [link.path])
    #expect(files.map(\.path) == [link.path + "/a.json", link.path + "/inner/b.json"], "\(files)")
    for file in files { #expect(throws: Never.self) { try Fixture.read(from: file) } }
}

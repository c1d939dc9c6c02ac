import Foundation
import GradFuzzCore
import GradFuzzTestSupport
import Testing

@testable import GradFuzzFixtures

@Test func everyDoubleReadsBackBitForBit() throws {
    // Awkward values: subnormal (the smallest, 5e-324), extremes, negative zero, values with 17 significant digits.
    let awkward: [Double] = [.leastNonzeroMagnitude, 2.2250738585072014e-308, 1e300, -0.0, 0.1, 1.0 / 3, -2.0 / 3 * 1e-17, 123456789.12345678]
    let base = randomProblem([2, 4], [.tanh], .squaredError, batch: 2, seed: 9)
    var problem = base
    problem.network.W[0] = Matrix(rows: [Array(awkward[0..<4]), Array(awkward[4..<8])], columns: 4)
    let fixture = Fixture(id: "awkward", description: "quotes \" and \\ and ünïcode", origin: .curated, problem: problem)
    let bytes = fixture.json()
    let read = try Fixture.decode(bytes)
    #expect(read == fixture)
    for (x, y) in zip(read.problem.network.W[0].storage, awkward) {
        #expect(x.bitPattern == y.bitPattern, "\(y) came back as \(x)")
    }
    #expect(read.json() == bytes, "writing what was read gives the same bytes")
}

@Test func curatedFixturesRegenerateByteForByte() throws {
    for fixture in CuratedFixtures.all() {
        let committed = try Data(contentsOf: packageRoot.appendingPathComponent("fixtures/curated/\(fixture.id).json"))
        #expect(fixture.json() == committed, "fixtures/curated/\(fixture.id).json is not what `gradfuzz fixtures` writes")
    }
}

/// The text of a valid fixture with one edit applied to its JSON object.
func editedFixture(_ edit: (inout [String: Any]) -> Void) throws -> Data {
    let fixture = Fixture(id: "t", description: "", origin: .curated, problem: randomProblem([2, 3, 2], [.tanh, .identity], .hinge, batch: 2, seed: 3))
    var object = try JSONSerialization.jsonObject(with: fixture.json()) as! [String: Any]
    edit(&object)
    return try JSONSerialization.data(withJSONObject: object)
}

func expectInputError(_ data: Data, field: String, saying words: String, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        _ = try Fixture.decode(data)
        Issue.record("expected an error on \(field)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.field == field, "\(error)", sourceLocation: sourceLocation)
        #expect(error.message.contains(words), "\(error) should say \"\(words)\"", sourceLocation: sourceLocation)
    }
}

@Test func badFixturesGetErrorsNamingTheFieldAndWhatWasExpected() throws {
    expectInputError(Data("not json".utf8), field: "(file)", saying: "not valid JSON")
    expectInputError(
        Data("{\"schema\": \"gradfuzz-fixture/1\", \"id\": \"x\", \"layers\": [2, NaN]}".utf8), field: "layers[1]", saying: "expected a whole number, got NaN")
    expectInputError(try editedFixture { $0["schema"] = "other/9" }, field: "schema", saying: "gradfuzz-fixture/1")
    expectInputError(try editedFixture { $0["activations"] = ["tanh", "swish"] }, field: "activations[1]", saying: "unknown activation \"swish\"")
    expectInputError(try editedFixture { $0["loss"] = "mse" }, field: "loss", saying: "expected one of")
    expectInputError(try editedFixture { $0["layers"] = [2, 3, 3, 2] }, field: "activations", saying: "expected 3 names")
    expectInputError(try editedFixture { $0["W"] = [[[1, 2], [3, 4], [5, 6]], [[1, 2], [3, 4], [5, 6]]] }, field: "W[0]", saying: "transposed")
    expectInputError(try editedFixture { $0["W"] = ($0["W"] as! [Any]).prefix(1).map { $0 } }, field: "W", saying: "expected 2 matrices")
    expectInputError(try editedFixture { $0["Y"] = [[1, 0.5], [1, -1]] }, field: "Y[0]", saying: "hinge targets must be −1 or +1")
    expectInputError(try editedFixture { $0["X"] = [[Double]]() }, field: "X", saying: "empty")
    expectInputError(
        try editedFixture {
            $0["loss"] = "squared_error"; $0["Y"] = [[1e300, 1e300], [1, 1]]
        }, field: "Y", saying: "not finite")
    expectInputError(
        try editedFixture {
            $0["activations"] = ["identity", "identity"]; $0["X"] = [[1e300, 1e300], [1e300, 1e300]]
            $0["W"] = [[[1e300, 1e300, 1e300], [1e300, 1e300, 1e300]], [[1, 1], [1, 1], [1, 1]]]
        },
        field: "W", saying: "overflows")
    expectInputError(try editedFixture { $0["X"] = "many" }, field: "X", saying: "expected a list, got the string \"many\"")
    expectInputError(try editedFixture { $0.removeValue(forKey: "b") }, field: "b", saying: "missing")
    expectInputError(
        try editedFixture {
            var e = $0["expected"] as! [String: Any]; e["dW"] = [[[1.0]]]; $0["expected"] = e
        },
        field: "expected.dW", saying: "expected 2 entries")
    let huge = String(decoding: try editedFixture { _ in }, as: UTF8.self).replacingOccurrences(of: "\"X\":[[", with: "\"X\":[[1e999,")
    expectInputError(Data(huge.utf8), field: "X[0][0]", saying: "got 1e999, which is beyond Double's range")
}

@Test func readingNamesTheFile() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("gradfuzz-bad-\(UInt32.random(in: 0...UInt32.max)).json")
    try Data("[1, 2".utf8).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    #expect(throws: InputError.self) { try Fixture.read(from: url) }
    do { _ = try Fixture.read(from: url) } catch { #expect(error.description.hasPrefix(url.path)) }
    #expect(throws: InputError.self) { try Fixture.files(in: ["/nonexistent/fixtures"]) }
}

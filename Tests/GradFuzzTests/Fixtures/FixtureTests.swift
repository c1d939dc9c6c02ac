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

/// A tolerance's precision is stored only where its rtol does not imply it, and read back: a
/// float32 tolerance made stricter than float32's rtol stays a float32 tolerance.
@Test func aToleranceKeepsItsPrecisionThroughAFile() throws {
    let problem = randomProblem([2, 3, 2], [.tanh, .identity], .squaredError, batch: 2, seed: 3)
    let strict32 = Tolerance.chosen(.float32, rtol: 1e-3, atol: nil)
    #expect(strict32.isSinglePrecision && strict32.programRounding(for: problem) != nil)
    let fixture = Fixture(id: "strict32", description: "", origin: .curated, problem: problem, tolerance: strict32)
    let text = String(decoding: fixture.json(), as: UTF8.self)
    #expect(text.contains("\"tolerance\": {\"rtol\": 0.001, \"atol\": 1e-05, \"precision\": \"float32\"}"), "\(text.suffix(120))")
    let read = try Fixture.decode(fixture.json())
    #expect(read.tolerance == strict32 && read.tolerance.isSinglePrecision)
    // The presets write {"rtol", "atol"} as before, and a float64 tolerance loosened past 2e-3 says so.
    for preset in [Tolerance.float64, .float32] {
        let plain = String(decoding: Fixture(id: "p", description: "", origin: .curated, problem: problem, tolerance: preset).json(), as: UTF8.self)
        #expect(!plain.contains("precision"))
    }
    let loose64 = Tolerance.chosen(.float64, rtol: 5e-3, atol: nil)
    #expect(!loose64.isSinglePrecision && loose64.programRounding(for: problem) == nil)
    #expect(try Fixture.decode(Fixture(id: "l", description: "", origin: .curated, problem: problem, tolerance: loose64).json()).tolerance == loose64)
    expectInputError(
        try editedFixture { $0["tolerance"] = ["rtol": 1e-3, "atol": 1e-5, "precision": "float16"] }, field: "tolerance.precision",
        saying: "expected \"float64\" or \"float32\", got \"float16\"")
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

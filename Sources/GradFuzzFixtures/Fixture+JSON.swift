import GradFuzzCore
import GradFuzzOracle
import Foundation

// Reading and writing "gradfuzz-fixture/1". Writing is by hand, for a file a person can read
// (one matrix row per line) whose bytes depend only on the fixture; every number is Swift's
// shortest round-trip decimal, so it reads back bit for bit.

extension Fixture {
    /// The fixture as the bytes of its JSON file.
    public func json() -> Data {
        var out = "{\n"
        func field(_ name: String, _ value: String, last: Bool = false) {
            out += "  \"\(name)\": \(value)\(last ? "" : ",")\n"
        }
        field("schema", JSONText.string(Self.schema))
        field("id", JSONText.string(id))
        field("description", JSONText.string(description))
        field("origin", JSONText.compact(origin))
        field("layers", "[" + problem.network.layers.map(String.init).joined(separator: ", ") + "]")
        field("activations", "[" + problem.network.activations.map { JSONText.string($0.rawValue) }.joined(separator: ", ") + "]")
        field("loss", JSONText.string(problem.loss.rawValue))
        field("W", JSONText.matrices(problem.network.W, indent: 2))
        field("b", JSONText.rows(problem.network.b, indent: 2))
        field("X", JSONText.rows(problem.X.nested, indent: 2))
        field("Y", JSONText.rows(problem.Y.nested, indent: 2))
        out += "  \"expected\": {\n"
        out += "    \"cost\": \(JSONText.number(expected.cost)),\n"
        out += "    \"dW\": \(JSONText.matrices(expected.dW, indent: 4)),\n"
        out += "    \"db\": \(JSONText.rows(expected.db, indent: 4)),\n"
        out += "    \"delta\": \(JSONText.matrices(expected.delta, indent: 4)),\n"
        out += "    \"z\": \(JSONText.matrices(expected.z, indent: 4)),\n"
        out += "    \"a\": \(JSONText.matrices(expected.a, indent: 4))\n"
        out += "  },\n"
        out += "  \"oracle\": {\n"
        out += "    \"method\": \"gsl_deriv_central\",\n"
        out += "    \"dW\": \(JSONText.matrices(oracle.dW.map(\.value), indent: 4)),\n"
        out += "    \"db\": \(JSONText.rows(oracle.db.map { $0.value.row(0) }, indent: 4)),\n"
        out += "    \"dWError\": \(JSONText.matrices(oracle.dW.map(\.error), indent: 4)),\n"
        out += "    \"dbError\": \(JSONText.rows(oracle.db.map { $0.error.row(0) }, indent: 4))\n"
        out += "  },\n"
        field("tolerance", "{\"rtol\": \(JSONText.number(tolerance.rtol)), \"atol\": \(JSONText.number(tolerance.atol))}", last: true)
        out += "}\n"
        return Data(out.utf8)
    }

    /// Writes the file through a temporary file and a rename: a reader never sees half a fixture.
    public func write(to url: URL) throws {
        try json().write(to: url, options: .atomic)
    }
}

extension Fixture {
    /// Reads and checks a fixture file; any error names the file, the field and what was expected.
    /// A problem file (the fields "layers" … "Y" alone) is completed as it is read (see `decode`),
    /// its id the file's name.
    public static func read(from url: URL, oracle: Oracle = Oracle()) throws(InputError) -> Fixture {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw InputError(field: "(file)", "cannot be read: \(error.localizedDescription)", file: url.path)
        }
        do { return try decode(data, name: url.deletingPathExtension().lastPathComponent, oracle: oracle) } catch {
            var located = error
            located.file = url.path
            throw located
        }
    }

    /// Decodes and checks a fixture from the bytes of its JSON file.
    ///
    /// A file with neither "expected" nor "oracle" is a problem file: its problem fields are
    /// checked as a fixture's are, and the reference's and the oracle's values computed now (its
    /// origin is {"kind": "problem"}, its id `name` unless it has one). A file with one of them
    /// and not the other is a fixture missing a field.
    public static func decode(_ data: Data, name: String = "problem", oracle: Oracle = Oracle()) throws(InputError) -> Fixture {
        let file: FixtureFile
        do { file = try JSONDecoder().decode(FixtureFile.self, from: data) } catch {
            throw InputError(decoding: error)
        }
        if file.expected == nil && file.oracle == nil {
            if let schema = file.schema, schema != Self.schema {
                throw InputError(field: "schema", "expected \"\(Self.schema)\" or none (a problem file), got \"\(schema)\"")
            }
            let problem = try Problem(validating: file.problem)
            let tolerance = file.tolerance ?? .float64
            if let why = tolerance.problem { throw InputError(field: "tolerance", why) }
            return Fixture(id: file.id ?? name, description: file.description ?? "", origin: file.origin ?? Origin(kind: "problem"),
                           problem: problem, oracle: oracle, tolerance: tolerance)
        }
        guard let schema = file.schema else { throw InputError(field: "schema", "missing; expected \"\(Self.schema)\"") }
        guard schema == Self.schema else { throw InputError(field: "schema", "expected \"\(Self.schema)\", got \"\(schema)\"") }
        let problem = try Problem(validating: file.problem)
        guard let expected = file.expected else { throw InputError(field: "expected", "missing") }
        guard let oracle = file.oracle else { throw InputError(field: "oracle", "missing") }
        let tolerance = file.tolerance ?? .float64
        if let why = tolerance.problem { throw InputError(field: "tolerance", why) }
        return Fixture(id: file.id ?? "", description: file.description ?? "", origin: file.origin ?? Origin(kind: "unknown"),
                       problem: problem, expected: try expected.gradients(for: problem),
                       oracle: try oracle.result(for: problem), tolerance: tolerance)
    }

    init(id: String, description: String, origin: Origin, problem: Problem, expected: Gradients,
         oracle: OracleResult, tolerance: Tolerance) {
        self.id = id
        self.description = description
        self.origin = origin
        self.problem = problem
        self.expected = expected
        self.oracle = oracle
        self.tolerance = tolerance
    }
}

extension InputError {
    /// A JSONDecoder error, said as the field it is about.
    init(decoding error: any Error) {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error as? DecodingError {
        case let .typeMismatch(type, context):
            self.init(field: path(context.codingPath), "expected \(Self.jsonName(type)); \(context.debugDescription)")
        case let .valueNotFound(type, context):
            self.init(field: path(context.codingPath), "expected \(Self.jsonName(type)), got null")
        case let .keyNotFound(key, context):
            self.init(field: path(context.codingPath + [key]), "missing")
        case let .dataCorrupted(context):
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            self.init(field: context.codingPath.isEmpty ? "(file)" : path(context.codingPath),
                      "not valid JSON: \(underlying ?? context.debugDescription)")
        default:
            self.init(field: "(file)", "not valid JSON: \(error)")
        }
    }

    private static func jsonName(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Int.Type, is UInt64.Type: return "a number"
        case is String.Type: return "a string"
        case is [Any].Type: return "an array"
        default: return "\(type)"
        }
    }
}

/// The fixture file as JSON holds it, before anything about it is known to be right.
private struct FixtureFile: Decodable {
    var schema: String?
    var id: String?
    var description: String?
    var origin: Fixture.Origin?
    var problem: RawProblem
    var expected: ExpectedFile?
    var oracle: OracleFile?
    var tolerance: Tolerance?

    enum CodingKeys: String, CodingKey { case schema, id, description, origin, expected, oracle, tolerance }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schema = try c.decodeIfPresent(String.self, forKey: .schema)
        id = try c.decodeIfPresent(String.self, forKey: .id)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        origin = try c.decodeIfPresent(Fixture.Origin.self, forKey: .origin)
        problem = try RawProblem(from: decoder)
        expected = try c.decodeIfPresent(ExpectedFile.self, forKey: .expected)
        oracle = try c.decodeIfPresent(OracleFile.self, forKey: .oracle)
        tolerance = try c.decodeIfPresent(Tolerance.self, forKey: .tolerance)
    }
}

private struct ExpectedFile: Decodable {
    var cost: Double?
    var dW: [[[Double]]]?
    var db: [[Double]]?
    var delta: [[[Double]]]?
    var z: [[[Double]]]?
    var a: [[[Double]]]?

    func gradients(for problem: Problem) throws(InputError) -> Gradients {
        let shapes = Shapes(problem)
        guard let cost else { throw InputError(field: "expected.cost", "missing") }
        try Problem.requireFinite([cost], field: "expected.cost")
        return Gradients(cost: cost,
                         dW: try shapes.weights(dW, field: "expected.dW"),
                         db: try shapes.biases(db, field: "expected.db"),
                         delta: try shapes.perSample(delta, field: "expected.delta"),
                         z: try shapes.perSample(z, field: "expected.z"),
                         a: try shapes.perSample(a, field: "expected.a"))
    }
}

private struct OracleFile: Decodable {
    var method: String?
    var dW: [[[Double]]]?
    var db: [[Double]]?
    var dWError: [[[Double]]]?
    var dbError: [[Double]]?

    func result(for problem: Problem) throws(InputError) -> OracleResult {
        let shapes = Shapes(problem)
        guard method == "gsl_deriv_central" else {
            throw InputError(field: "oracle.method", "expected \"gsl_deriv_central\", got \(method.map { "\"\($0)\"" } ?? "nothing")")
        }
        let values = try shapes.weights(dW, field: "oracle.dW"), errors = try shapes.weights(dWError, field: "oracle.dWError")
        let biases = try shapes.biases(db, field: "oracle.db"), biasErrors = try shapes.biases(dbError, field: "oracle.dbError")
        func estimates(_ value: Matrix, _ error: Matrix) -> Estimates {
            var e = Estimates(rows: value.rows, columns: value.columns)
            e.value = value
            e.error = error
            return e
        }
        return OracleResult(dW: zip(values, errors).map(estimates),
                            db: zip(biases, biasErrors).map { estimates(Matrix(row: $0), Matrix(row: $1)) },
                            delta: problem.network.layers.dropFirst().map { Estimates(rows: 0, columns: $0) })
    }
}

/// A fixture's gradient fields read against the problem's `AnswerShape`, with messages that say which field is wrong.
private struct Shapes {
    let shape: AnswerShape
    init(_ problem: Problem) { shape = AnswerShape(problem) }

    func weights(_ value: [[[Double]]]?, field: String) throws(InputError) -> [Matrix] {
        try list(value, shape.weights, field: field)
    }

    func perSample(_ value: [[[Double]]]?, field: String) throws(InputError) -> [Matrix] {
        try list(value, shape.perSample, field: field)
    }

    func biases(_ value: [[Double]]?, field: String) throws(InputError) -> [[Double]] {
        try list(value.map { $0.map { [$0] } }, shape.biases, field: field).map { $0.row(0) }
    }

    private func list(_ value: [[[Double]]]?, _ expected: [ExpectedShape], field: String) throws(InputError) -> [Matrix] {
        guard let value else { throw InputError(field: field, "missing") }
        guard value.count == expected.count else {
            throw InputError(field: field, "expected \(expected.count) entries (one per layer), got \(value.count)")
        }
        var out: [Matrix] = []
        for (l, (nested, shape)) in zip(value, expected).enumerated() {
            out.append(try Problem.matrix(nested, shape, field: "\(field)[\(l)]"))
        }
        return out
    }
}

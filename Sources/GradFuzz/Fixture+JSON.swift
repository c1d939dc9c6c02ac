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
        field("schema", Self.string(Self.schema))
        field("id", Self.string(id))
        field("description", Self.string(description))
        field("origin", Self.compact(origin))
        field("layers", "[" + problem.network.layers.map(String.init).joined(separator: ", ") + "]")
        field("activations", "[" + problem.network.activations.map { Self.string($0.rawValue) }.joined(separator: ", ") + "]")
        field("loss", Self.string(problem.loss.rawValue))
        field("W", Self.matrices(problem.network.W, indent: 2))
        field("b", Self.rows(problem.network.b, indent: 2))
        field("X", Self.rows(problem.X.nested, indent: 2))
        field("Y", Self.rows(problem.Y.nested, indent: 2))
        out += "  \"expected\": {\n"
        out += "    \"cost\": \(Self.number(expected.cost)),\n"
        out += "    \"dW\": \(Self.matrices(expected.dW, indent: 4)),\n"
        out += "    \"db\": \(Self.rows(expected.db, indent: 4)),\n"
        out += "    \"delta\": \(Self.matrices(expected.delta, indent: 4)),\n"
        out += "    \"z\": \(Self.matrices(expected.z, indent: 4)),\n"
        out += "    \"a\": \(Self.matrices(expected.a, indent: 4))\n"
        out += "  },\n"
        out += "  \"oracle\": {\n"
        out += "    \"method\": \"gsl_deriv_central\",\n"
        out += "    \"dW\": \(Self.matrices(oracle.dW.map(\.value), indent: 4)),\n"
        out += "    \"db\": \(Self.rows(oracle.db.map { $0.value.row(0) }, indent: 4)),\n"
        out += "    \"dWError\": \(Self.matrices(oracle.dW.map(\.error), indent: 4)),\n"
        out += "    \"dbError\": \(Self.rows(oracle.db.map { $0.error.row(0) }, indent: 4))\n"
        out += "  },\n"
        field("tolerance", "{\"rtol\": \(Self.number(tolerance.rtol)), \"atol\": \(Self.number(tolerance.atol))}", last: true)
        out += "}\n"
        return Data(out.utf8)
    }

    /// Writes the file through a temporary file and a rename: a reader never sees half a fixture.
    public func write(to url: URL) throws {
        try json().write(to: url, options: .atomic)
    }

    static func number(_ x: Double) -> String {
        precondition(x.isFinite, "non-finite numbers have no JSON form; checked on the way in")
        return "\(x)"
    }

    static func string(_ s: String) -> String {
        String(decoding: try! JSONEncoder().encode(s), as: UTF8.self)
    }

    static func compact<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }

    static func row(_ values: [Double]) -> String {
        "[" + values.map(number).joined(separator: ", ") + "]"
    }

    static func rows(_ rows: [[Double]], indent: Int) -> String {
        let pad = String(repeating: " ", count: indent + 2)
        return "[\n" + rows.map { pad + row($0) }.joined(separator: ",\n") + "\n" + String(repeating: " ", count: indent) + "]"
    }

    static func matrices(_ matrices: [Matrix], indent: Int) -> String {
        let pad = String(repeating: " ", count: indent + 2)
        return "[\n" + matrices.map { pad + rows($0.nested, indent: indent + 2) }.joined(separator: ",\n")
            + "\n" + String(repeating: " ", count: indent) + "]"
    }
}

extension Fixture {
    /// Reads and checks a fixture file; any error names the file, the field and what was expected.
    public static func read(from url: URL) throws(InputError) -> Fixture {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw InputError(field: "(file)", "cannot be read: \(error.localizedDescription)", file: url.path)
        }
        do { return try decode(data) } catch {
            var located = error
            located.file = url.path
            throw located
        }
    }

    /// Decodes and checks a fixture from the bytes of its JSON file.
    public static func decode(_ data: Data) throws(InputError) -> Fixture {
        let file: FixtureFile
        do { file = try JSONDecoder().decode(FixtureFile.self, from: data) } catch {
            throw InputError(decoding: error)
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
        var result = OracleResult(dW: zip(values, errors).map(estimates),
                                  db: zip(biases, biasErrors).map { estimates(Matrix(row: $0), Matrix(row: $1)) },
                                  delta: problem.network.layers.dropFirst().map { Estimates(rows: 0, columns: $0) })
        // Not stored: the analytic side's allowance is a function of the problem.
        result.setAnalyticRounding(PerturbedCost(problem).analyticRounding(delta: false))
        return result
    }
}

/// The shapes a problem's gradient matrices must have, checked with messages that say which.
private struct Shapes {
    let layers: [Int]
    let m: Int
    init(_ problem: Problem) { layers = problem.network.layers; m = problem.batchSize }

    func weights(_ value: [[[Double]]]?, field: String) throws(InputError) -> [Matrix] {
        try list(value, field: field) { l in (layers[l], layers[l + 1], "shaped as W^(\(l + 1)): m_\(l) rows, m_\(l + 1) columns") }
    }

    func perSample(_ value: [[[Double]]]?, field: String) throws(InputError) -> [Matrix] {
        try list(value, field: field) { l in (m, layers[l + 1], "one row per sample, m_\(l + 1) columns") }
    }

    func biases(_ value: [[Double]]?, field: String) throws(InputError) -> [[Double]] {
        let rows = try list(value.map { $0.map { [$0] } }, field: field) { l in (1, layers[l + 1], "m_\(l + 1) numbers") }
        return rows.map { $0.row(0) }
    }

    private func list(_ value: [[[Double]]]?, field: String, shape: (Int) -> (Int, Int, String)) throws(InputError) -> [Matrix] {
        guard let value else { throw InputError(field: field, "missing") }
        let depth = layers.count - 1
        guard value.count == depth else { throw InputError(field: field, "expected \(depth) entries (one per layer), got \(value.count)") }
        var out: [Matrix] = []
        for l in 0..<depth {
            let (rows, columns, hint) = shape(l)
            out.append(try Problem.matrix(value[l], rows: rows, columns: columns, field: "\(field)[\(l)]", hint: hint))
        }
        return out
    }
}

extension Tolerance {
    enum CodingKeys: String, CodingKey { case rtol, atol, errorFactor }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(rtol: try c.decode(Double.self, forKey: .rtol), atol: try c.decode(Double.self, forKey: .atol),
                  errorFactor: try c.decodeIfPresent(Double.self, forKey: .errorFactor) ?? 0)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rtol, forKey: .rtol)
        try c.encode(atol, forKey: .atol)
        if errorFactor != 0 { try c.encode(errorFactor, forKey: .errorFactor) }
    }
}

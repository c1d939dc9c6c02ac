import Foundation
import GradFuzzCore
import GradFuzzOracle

// Reading and writing "gradfuzz-fixture/1". Writing is by hand, for a file a person can read
// (one matrix row per line) whose bytes depend only on the fixture; every number is Swift's
// shortest round-trip decimal, so it reads back bit for bit.

extension Fixture {
    /// The fixture as the bytes of its JSON file.
    public func json() -> Data {
        let oracle = self.oracle ?? Oracle().differentiate(problem, delta: false)
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
        let precision = tolerance.statesPrecision ? ", \"precision\": \"\(tolerance.precision.rawValue)\"" : ""
        field(
            "tolerance", "{\"rtol\": \(JSONText.number(tolerance.rtol)), \"atol\": \(JSONText.number(tolerance.atol))\(precision)}",
            last: otherFields.isEmpty)
        for (n, other) in otherFields.enumerated() { field(other.name, other.json, last: n == otherFields.count - 1) }
        out += "}\n"
        return Data(out.utf8)
    }

    /// Writes the file through a temporary file and a rename, so a reader never sees half a
    /// fixture (`OutputFile`: a symlink is followed, a device or FIFO written through).
    public func write(to url: URL) throws(OutputFileError) {
        try OutputFile.write(json(), to: url.path)
    }
}

extension Fixture {
    /// Reads and checks a fixture file; any error names the file, the field and what was expected.
    /// A problem file (the fields "layers" … "Y" alone) is completed as it is read (see `decode`),
    /// its id the file's name; with `oracle` nil its oracle values are left to be computed by
    /// whoever needs them.
    public static func read(from url: URL, oracle: Oracle? = Oracle()) throws(InputError) -> Fixture {
        // Told from its metadata, never by opening it: a FIFO nobody writes to would block the read for ever.
        if let kind = notARegularFile(url.path) {
            throw InputError(field: "(file)", "is \(kind); expected a regular JSON file or a folder of them", file: url.path)
        }
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

    /// What the file at `path` (a symlink followed) is when it is not a regular file, e.g. "a FIFO
    /// (named pipe)"; nil for a regular file, or when it cannot be told (then reading it says why).
    static func notARegularFile(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    /// Decodes and checks a fixture from the bytes of its JSON file.
    ///
    /// A file with neither "expected" nor "oracle" is a problem file: its problem fields are
    /// checked as a fixture's are, and the reference's and the oracle's values computed now (its
    /// origin is {"kind": "problem"}, its id `name` unless it has one; "schema" may be left out).
    /// A file with one of them and not the other is a fixture missing a field.
    public static func decode(_ data: Data, name: String = "problem", oracle: Oracle? = Oracle()) throws(InputError) -> Fixture {
        let document: JSONDocument
        do { document = try JSONDocument(data) } catch {
            if let field = error.field { throw InputError(field: field, error.message) }
            throw InputError(field: "(file)", "not valid JSON at line \(error.line), column \(error.column): \(error.message)")
        }
        let root = JSONField(node: document.root, name: "")
        guard case .object = root.node.value else {
            throw InputError(field: "(file)", "expected a fixture, an object {\"schema\": \"\(Self.schema)\", …}, got \(root.node.kind)")
        }
        let expectedField = root.member("expected"), oracleField = root.member("oracle")
        let problemFile = expectedField == nil && oracleField == nil
        let schema = try root.member("schema")?.string()
        if problemFile {
            if let schema, schema != Self.schema {
                throw InputError(field: "schema", "expected \"\(Self.schema)\" or none (a problem file), got \(schema.debugDescription)")
            }
        } else {
            guard let schema else { throw InputError(field: "schema", "missing; expected \"\(Self.schema)\"") }
            guard schema == Self.schema else { throw InputError(field: "schema", "expected \"\(Self.schema)\", got \(schema.debugDescription)") }
        }
        let id = try Self.checkedID(root.member("id")?.string() ?? (problemFile ? name : nil))
        let description = try root.member("description")?.string() ?? ""
        let origin =
            try root.member("origin").map { field throws(InputError) in try Origin(field.object()) }
            ?? Origin(kind: problemFile ? "problem" : "unknown")
        let problem = try Problem(validating: RawProblem(root))
        let tolerance = try root.member("tolerance").map { field throws(InputError) in try Tolerance(field.object()) } ?? .float64
        if let why = tolerance.problem { throw InputError(field: "tolerance", why) }
        var fixture: Fixture
        if problemFile {
            fixture = Fixture(
                id: id, description: description, origin: origin, problem: problem, expected: Reference.backprop(problem),
                oracle: oracle?.differentiate(problem, delta: false), tolerance: tolerance)
        } else {
            guard let expected = expectedField else { throw InputError(field: "expected", "missing") }
            guard let stored = oracleField else { throw InputError(field: "oracle", "missing") }
            fixture = Fixture(
                id: id, description: description, origin: origin, problem: problem,
                expected: try ExpectedFile(expected.object()).gradients(for: problem),
                oracle: try OracleFile(stored.object()).result(for: problem), tolerance: tolerance)
        }
        fixture.otherFields = try otherFields(of: root.node)
        return fixture
    }

    /// The top-level fields this format writes; any other is kept as it is (`otherFields`).
    static let fieldNames: Set<String> = [
        "schema", "id", "description", "origin", "layers", "activations", "loss", "W", "b", "X", "Y", "expected", "oracle", "tolerance",
    ]

    /// The members of `root` that are not the format's, as JSON text; one holding NaN or ±Infinity
    /// (not JSON, and so not writable back) is an error naming it.
    private static func otherFields(of root: JSONDocument.Node) throws(InputError) -> [OtherField] {
        guard case let .object(members) = root.value else { return [] }
        var others: [OtherField] = []
        for (name, value) in members where !fieldNames.contains(name) {
            guard let json = value.jsonText else {
                throw InputError(field: name, "holds NaN or Infinity, which JSON has no number for; expected JSON values")
            }
            others.append(OtherField(name: name, json: json))
        }
        return others
    }

    /// A fixture's id names it in every report and is sent to the student: it must be there, and
    /// printable (a control character would reach the terminal as it is).
    static func checkedID(_ id: String?) throws(InputError) -> String {
        guard let id else { throw InputError(field: "id", "missing; expected a non-empty string naming the fixture") }
        guard !id.isEmpty else { throw InputError(field: "id", "empty; expected a non-empty string naming the fixture") }
        for (n, scalar) in id.unicodeScalars.enumerated() where scalar.properties.generalCategory == .control {
            let code = String(scalar.value, radix: 16, uppercase: true)
            throw InputError(
                field: "id",
                "contains the control character U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code) at character \(n + 1); expected printable text"
            )
        }
        return id
    }

    init(
        id: String, description: String, origin: Origin, problem: Problem, expected: Gradients,
        oracle: OracleResult?, tolerance: Tolerance
    ) {
        self.id = id
        self.description = description
        self.origin = origin
        self.problem = problem
        self.expected = expected
        self.oracle = oracle
        self.tolerance = tolerance
    }
}

extension RawProblem {
    /// The problem fields ("layers" … "Y") of a fixture or request; a field of the wrong JSON type is
    /// an error here, its values and shapes are checked by `Problem(validating:)`.
    init(_ fields: JSONField) throws(InputError) {
        self.init(
            layers: try fields.member("layers")?.integers(),
            activations: try fields.member("activations")?.strings(),
            loss: try fields.member("loss")?.string(),
            W: try fields.member("W")?.matrices(),
            b: try fields.member("b")?.rows(),
            X: try fields.member("X")?.rows(),
            Y: try fields.member("Y")?.rows())
    }
}

extension Fixture.Origin {
    init(_ fields: JSONField) throws(InputError) {
        guard let kind = try fields.member("kind")?.string() else { throw InputError(field: "origin.kind", "missing") }
        self.init(
            kind: kind, seed: try fields.member("seed")?.unsigned(), iteration: try fields.member("iteration")?.integer(),
            unshrunkLayers: try fields.member("unshrunkLayers")?.integers(),
            unshrunkBatch: try fields.member("unshrunkBatch")?.integer(),
            implementation: try fields.member("implementation")?.string(), command: try fields.member("command")?.string())
    }
}

extension Tolerance {
    init(_ fields: JSONField) throws(InputError) {
        guard let rtol = try fields.member("rtol")?.double() else { throw InputError(field: "tolerance.rtol", "missing") }
        guard let atol = try fields.member("atol")?.double() else { throw InputError(field: "tolerance.atol", "missing") }
        let precision = try fields.member("precision")?.string()
        guard precision.map({ Precision(rawValue: $0) != nil }) ?? true else {
            throw InputError(field: "tolerance.precision", "expected \"float64\" or \"float32\", got \(precision!.debugDescription)")
        }
        self.init(
            rtol: rtol, atol: atol, errorFactor: try fields.member("errorFactor")?.double() ?? 0,
            precision: precision.flatMap(Precision.init(rawValue:)))
    }
}

private struct ExpectedFile {
    var cost: Double?
    var dW: [[[Double]]]?
    var db: [[Double]]?
    var delta: [[[Double]]]?
    var z: [[[Double]]]?
    var a: [[[Double]]]?

    init(_ fields: JSONField) throws(InputError) {
        cost = try fields.member("cost")?.double()
        dW = try fields.member("dW")?.matrices()
        db = try fields.member("db")?.rows()
        delta = try fields.member("delta")?.matrices()
        z = try fields.member("z")?.matrices()
        a = try fields.member("a")?.matrices()
    }

    func gradients(for problem: Problem) throws(InputError) -> Gradients {
        let shapes = Shapes(problem)
        guard let cost else { throw InputError(field: "expected.cost", "missing") }
        return Gradients(
            cost: cost,
            dW: try shapes.weights(dW, field: "expected.dW"),
            db: try shapes.biases(db, field: "expected.db"),
            delta: try shapes.perSample(delta, field: "expected.delta"),
            z: try shapes.perSample(z, field: "expected.z"),
            a: try shapes.perSample(a, field: "expected.a"))
    }
}

private struct OracleFile {
    var method: String?
    var dW: [[[Double]]]?
    var db: [[Double]]?
    var dWError: [[[Double]]]?
    var dbError: [[Double]]?

    init(_ fields: JSONField) throws(InputError) {
        method = try fields.member("method")?.string()
        dW = try fields.member("dW")?.matrices()
        db = try fields.member("db")?.rows()
        dWError = try fields.member("dWError")?.matrices()
        dbError = try fields.member("dbError")?.rows()
    }

    func result(for problem: Problem) throws(InputError) -> OracleResult {
        let shapes = Shapes(problem)
        guard method == "gsl_deriv_central" else {
            throw InputError(field: "oracle.method", "expected \"gsl_deriv_central\", got \(method.map(\.debugDescription) ?? "nothing")")
        }
        let values = try shapes.weights(dW, field: "oracle.dW"), errors = try shapes.weights(dWError, field: "oracle.dWError")
        let biases = try shapes.biases(db, field: "oracle.db"), biasErrors = try shapes.biases(dbError, field: "oracle.dbError")
        func estimates(_ value: Matrix, _ error: Matrix) -> Estimates {
            var e = Estimates(rows: value.rows, columns: value.columns)
            e.value = value
            e.error = error
            return e
        }
        return OracleResult(
            storedFor: problem, dW: zip(values, errors).map(estimates),
            db: zip(biases, biasErrors).map { estimates(Matrix(row: $0), Matrix(row: $1)) })
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

import Foundation
import GradFuzzCore

/// The configuration's JSON: every key optional but "schema", "family", "exam_seed" and "command";
/// an unknown key is refused (a misspelt "visiblity" must not silently leave the exam visible), and
/// every bad value is named by its field with what was expected.
extension AutograderConfig: Codable {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static let keys = [
        "schema", "family", "exam_seed", "fuzz_cases", "command", "user", "timeouts", "points", "visibility", "show_expected_in_hidden",
        "show_stderr_in_hidden", "tolerance",
    ]

    public init(from decoder: any Decoder) throws {
        let c = try Self.container(decoder, keys: Self.keys)
        func value<T: Decodable>(_ key: String) throws -> T? { try c.decodeIfPresent(T.self, forKey: Key(key)) }
        func required<T: Decodable>(_ key: String) throws -> T { try c.decode(T.self, forKey: Key(key)) }
        /// A whole number; a fraction is named by its field (Foundation would call the whole document invalid).
        func whole(_ key: String) throws -> UInt64? {
            guard c.contains(Key(key)) else { return nil }
            if let number = try? c.decode(UInt64.self, forKey: Key(key)) { return number }
            let number = try c.decode(Double.self, forKey: Key(key))
            throw DecodingError.dataCorruptedError(forKey: Key(key), in: c, debugDescription: "expected a whole number ≥ 0, got \(number)")
        }
        guard let seed = try whole("exam_seed") else {
            throw DecodingError.keyNotFound(Key("exam_seed"), .init(codingPath: [], debugDescription: "missing"))
        }
        self.init(family: try required("family"), examSeed: seed, command: try required("command"))
        schema = try required("schema")
        fuzzCases = try whole("fuzz_cases").map { Int(clamping: $0) } ?? fuzzCases
        user = try value("user")
        timeouts = try value("timeouts") ?? timeouts
        points = try value("points") ?? points
        visibility = try value("visibility") ?? visibility
        showExpectedInHidden = try value("show_expected_in_hidden") ?? false
        showStderrInHidden = try value("show_stderr_in_hidden") ?? false
        tolerance = try value("tolerance")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(schema, forKey: Key("schema"))
        try c.encode(family, forKey: Key("family"))
        try c.encode(examSeed, forKey: Key("exam_seed"))
        try c.encode(fuzzCases, forKey: Key("fuzz_cases"))
        try c.encode(command, forKey: Key("command"))
        try c.encodeIfPresent(user, forKey: Key("user"))
        try c.encode(timeouts, forKey: Key("timeouts"))
        try c.encode(points, forKey: Key("points"))
        try c.encode(visibility, forKey: Key("visibility"))
        try c.encode(showExpectedInHidden, forKey: Key("show_expected_in_hidden"))
        try c.encode(showStderrInHidden, forKey: Key("show_stderr_in_hidden"))
        try c.encodeIfPresent(tolerance, forKey: Key("tolerance"))
    }

    /// The object's keys, refusing any not in `keys`.
    static func container(_ decoder: any Decoder, keys: [String]) throws -> KeyedDecodingContainer<Key> {
        let c = try decoder.container(keyedBy: Key.self)
        if let stray = c.allKeys.first(where: { !keys.contains($0.stringValue) }) {
            throw DecodingError.dataCorruptedError(
                forKey: stray, in: c, debugDescription: "unknown key; expected some of \(keys.joined(separator: ", "))")
        }
        return c
    }

    /// The configuration in `data`, checked; the first bad field named in one line.
    public static func decode(_ data: Data, file: String? = nil) throws(ConfigError) -> AutograderConfig {
        let config: AutograderConfig
        do {
            config = try JSONDecoder().decode(AutograderConfig.self, from: data)
        } catch let error as DecodingError {
            var failure = Self.describe(error)
            failure.file = file
            throw failure
        } catch {
            throw ConfigError(file: file, field: "", "expected a \(schemaName) JSON object: \(error)")
        }
        do throws(ConfigError) { try config.check() } catch {
            var failure = error
            failure.file = file
            throw failure
        }
        return config
    }

    /// The configuration file at `path`, checked.
    public static func read(from path: String) throws(ConfigError) -> AutograderConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, field: "", "cannot read it; expected a \(schemaName) configuration file (gradfuzz autograder writes one)")
        }
        return try decode(data, file: path)
    }

    /// The configuration as JSON, ending with a newline.
    public var json: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Strings, whole numbers, finite numbers (checked) and enumerations only.
        return ((try? encoder.encode(self)) ?? Data()) + Data("\n".utf8)
    }

    /// Checks what decoding cannot: ranges, the family, the tolerance's name.
    public func check() throws(ConfigError) {
        guard schema == Self.schemaName else { throw ConfigError(field: "schema", "expected \"\(Self.schemaName)\", got \"\(schema)\"") }
        _ = try resolvedFamily()
        guard examSeed < 1 << 53 else {
            throw ConfigError(field: "exam_seed", "expected a whole number below 2^53 (every JSON reader reads it exactly), got \(examSeed)")
        }
        guard (0...100_000).contains(fuzzCases) else { throw ConfigError(field: "fuzz_cases", "expected a whole number from 0 to 100000, got \(fuzzCases)") }
        guard !ShellWords.split(command).isEmpty else {
            throw ConfigError(field: "command", "expected the command that runs a submission, e.g. \"python3 student.py\", got an empty one")
        }
        if let user, user.isEmpty || user.contains(where: { $0 == "/" || $0 == ":" || $0.isWhitespace }) {
            throw ConfigError(field: "user", "expected a user name (no spaces, / or :), got \"\(user)\"")
        }
        for (name, seconds, low) in [("answer", timeouts.answer, 0.0), ("startup", timeouts.startup, -1e-300), ("total", timeouts.total, 0.0)] {
            guard seconds > low && seconds <= 86400 else {
                throw ConfigError(field: "timeouts.\(name)", "expected seconds \(low < 0 ? "from 0" : "above 0") up to 86400, got \(seconds)")
            }
        }
        guard points.total > 0 && points.total <= 1e6 else {
            throw ConfigError(field: "points.total", "expected a number of points above 0 (at most 1000000), got \(points.total)")
        }
        for kind in Kind.allCases where !(points.share(kind) >= 0 && points.share(kind).isFinite) {
            throw ConfigError(field: "points.\(kind.rawValue)", "expected a share ≥ 0, got \(points.share(kind))")
        }
        guard Kind.allCases.contains(where: { points.share($0) > 0 }) else {
            throw ConfigError(field: "points", "expected a share above 0 for at least one of curated, exam, fuzz")
        }
        if let tolerance, !Self.tolerances.contains(tolerance) {
            throw ConfigError(field: "tolerance", "expected one of \(Self.tolerances.joined(separator: ", ")), got \"\(tolerance)\"")
        }
    }

    /// A decoding error as the field it is about and what was expected.
    static func describe(_ error: DecodingError) -> ConfigError {
        func path(_ context: DecodingError.Context, _ key: CodingKey? = nil) -> String {
            (context.codingPath + (key.map { [$0] } ?? [])).map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case let .keyNotFound(key, context):
            return ConfigError(field: path(context, key), "missing; expected it (docs/grading.md lists every field)")
        case let .typeMismatch(type, context), let .valueNotFound(type, context):
            return ConfigError(field: path(context), "expected \(Self.expected(type))")
        case let .dataCorrupted(context):
            let field = path(context)
            if context.debugDescription.hasPrefix("Cannot initialize Visibility") {
                return ConfigError(field: field, "expected \(expected(GradescopeResults.Visibility.self))")
            }
            return ConfigError(field: field, field.isEmpty ? "expected a JSON object: \(context.debugDescription)" : context.debugDescription)
        @unknown default:
            return ConfigError(field: "", "\(error)")
        }
    }

    static func expected(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Double.Type: "a number"
        case is Int.Type, is UInt64.Type: "a whole number"
        case is GradescopeResults.Visibility.Type:
            "one of \(GradescopeResults.Visibility.allCases.map(\.rawValue).joined(separator: ", "))"
        default: "a value of type \(type)"
        }
    }
}

// Nested objects: every key optional (its default), unknown keys refused.
extension AutograderConfig.Timeouts {
    public init(from decoder: any Decoder) throws {
        let c = try AutograderConfig.container(decoder, keys: ["answer", "startup", "total"])
        self.init()
        answer = try c.decodeIfPresent(Double.self, forKey: .init("answer")) ?? answer
        startup = try c.decodeIfPresent(Double.self, forKey: .init("startup")) ?? startup
        total = try c.decodeIfPresent(Double.self, forKey: .init("total")) ?? total
    }
}

extension AutograderConfig.Points {
    public init(from decoder: any Decoder) throws {
        let c = try AutograderConfig.container(decoder, keys: ["total", "curated", "exam", "fuzz"])
        self.init()
        total = try c.decodeIfPresent(Double.self, forKey: .init("total")) ?? total
        curated = try c.decodeIfPresent(Double.self, forKey: .init("curated")) ?? curated
        exam = try c.decodeIfPresent(Double.self, forKey: .init("exam")) ?? exam
        fuzz = try c.decodeIfPresent(Double.self, forKey: .init("fuzz")) ?? fuzz
    }
}

extension AutograderConfig.Visibility {
    public init(from decoder: any Decoder) throws {
        let c = try AutograderConfig.container(decoder, keys: ["curated", "exam", "fuzz", "stdout"])
        self.init()
        typealias V = GradescopeResults.Visibility
        curated = try c.decodeIfPresent(V.self, forKey: .init("curated")) ?? curated
        exam = try c.decodeIfPresent(V.self, forKey: .init("exam")) ?? exam
        fuzz = try c.decodeIfPresent(V.self, forKey: .init("fuzz")) ?? fuzz
        stdout = try c.decodeIfPresent(V.self, forKey: .init("stdout")) ?? stdout
    }
}

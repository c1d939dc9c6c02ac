/// A JSON text read strictly, with where each value starts, so that every complaint about it can
/// name a line and column, a field, or a byte.
///
/// Numbers are kept as the text they were written as: the reader of a field decides whether it
/// wanted a Double (read bit for bit by Swift's correctly rounded conversion) or a whole number.
/// A duplicate key is an error. NaN, Infinity and -Infinity, which are not JSON, are read as
/// `.nonFinite` so that the field holding them can be named; so are nan, inf and infinity in any
/// case, with or without a minus sign, when `nonFiniteTokens` asks for them (C's printf writes
/// them so, and -nan for the NaN that 0.0/0.0 gives on x86).
public struct JSONDocument: Sendable {
    public indirect enum Value: Sendable {
        case null
        case bool(Bool)
        /// The number as written, e.g. "-1.5e3".
        case number(String)
        /// NaN, Infinity, or either with a minus sign: a token that was read, spelled the JSON5 way.
        case nonFinite(String)
        case string(String)
        case array([Node])
        /// The members in the order written; keys are unique.
        case object([(key: String, value: Node)])
    }

    public struct Node: Sendable {
        public var value: Value
        /// The byte offset of the value's first byte in the text.
        public var offset: Int

        /// The member named `key` of an object.
        public subscript(key: String) -> Node? {
            if case let .object(members) = value { return members.first { $0.key == key }?.value }
            return nil
        }

        /// The value of a number or a non-finite token: the nearest Double (±infinity beyond
        /// Double's range, ±0 below it), NaN or ±infinity; nil for any other value.
        public var double: Double? {
            switch value {
            case let .number(text): return Double(text)
            case let .nonFinite(token): return token.hasSuffix("NaN") ? .nan : token.hasPrefix("-") ? -.infinity : .infinity
            default: return nil
            }
        }

        /// "an object", "a list of 3", "the string \"x\"", …: what a message says was found.
        public var kind: String {
            switch value {
            case .null: return "null"
            case let .bool(b): return b ? "true" : "false"
            case let .number(text): return "the number \(JSONDocument.shown(text))"
            case let .nonFinite(text): return text
            case let .string(s): return s.count > 40 ? "a string" : "the string \(s.debugDescription)"
            case let .array(items): return items.isEmpty ? "an empty list" : "a list of \(items.count)"
            case .object: return "an object"
            }
        }
    }

    /// Why a text is not JSON, and where: `offset` counts bytes from 0; `line` and `column` from 1.
    public struct SyntaxError: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var offset: Int
        public var line: Int
        public var column: Int
        /// The field the error is about, when it is about one (a duplicate key), e.g. "tolerance.atol".
        public var field: String?

        public var description: String { "line \(line), column \(column): \(message)" }
    }

    /// "W[0][1]", "tolerance.atol": a field's name as the messages write it.
    public static func path(_ components: [PathComponent]) -> String {
        var out = ""
        for component in components {
            switch component {
            case let .key(key): out += out.isEmpty ? key : "." + key
            case let .index(n): out += "[\(n)]"
            }
        }
        return out
    }

    public enum PathComponent: Sendable {
        case key(String)
        case index(Int)
    }

    public var root: Node

    /// Reads `bytes` as one JSON value, or says what is wrong at which line and column.
    public init(_ bytes: some Collection<UInt8>, nonFiniteTokens: Bool = false) throws(SyntaxError) {
        var reader = Reader(bytes: Array(bytes), nonFiniteTokens: nonFiniteTokens)
        root = try reader.document()
    }

    /// The offset of the first byte that is not valid UTF-8, with that byte; nil for valid UTF-8.
    public static func invalidUTF8(in bytes: some Collection<UInt8>) -> (offset: Int, byte: UInt8)? {
        let all = Array(bytes)
        // The standard library's check is many times faster than the walk below, which finds the byte.
        if String(validating: all, as: UTF8.self) != nil { return nil }
        var iterator = all.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case let .valid(scalar): offset += scalar.count
            case .emptyInput: return nil
            case .error: return (offset, all[offset])
            }
        }
    }

    /// A number's text as a message shows it: whole when short, else its start and its length.
    public static func shown(_ number: String) -> String {
        guard number.count > 40 else { return number }
        return String(number.prefix(20)) + "… (\(number.count { $0.isNumber }) digits)"
    }

    /// Line and column (from 1, the column in characters) of the byte at `offset`.
    public static func position(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for byte in bytes.prefix(offset) {
            if byte == 0x0A { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return (line, column)
    }
}

private struct Reader {
    let bytes: [UInt8]
    let nonFiniteTokens: Bool
    var i = 0
    var depth = 0
    /// Where the value being read is, for naming a duplicate key.
    var path: [JSONDocument.PathComponent] = []

    init(bytes: [UInt8], nonFiniteTokens: Bool) {
        self.bytes = bytes
        self.nonFiniteTokens = nonFiniteTokens
    }

    func fail(_ message: String, at offset: Int? = nil, field: String? = nil) -> JSONDocument.SyntaxError {
        let at = offset ?? i
        let (line, column) = JSONDocument.position(of: at, in: bytes)
        return JSONDocument.SyntaxError(message: message, offset: at, line: line, column: column, field: field)
    }

    /// What is at the current position, for a message: "the end of the file", "“x”".
    var here: String {
        guard i < bytes.count else { return "the end of the text" }
        let byte = bytes[i]
        if byte < 0x20 || byte == 0x7F { return "the control character 0x\(String(byte, radix: 16, uppercase: true))" }
        if byte >= 0x80 {
            var end = i + 1
            while end < bytes.count && end < i + 4 && bytes[end] & 0xC0 == 0x80 { end += 1 }
            return "“" + String(decoding: bytes[i..<end], as: UTF8.self) + "”"
        }
        return "“" + String(UnicodeScalar(byte)) + "”"
    }

    mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    mutating func document() throws(JSONDocument.SyntaxError) -> JSONDocument.Node {
        if let (offset, byte) = JSONDocument.invalidUTF8(in: bytes) {
            throw fail("invalid UTF-8 (byte 0x\(String(byte, radix: 16, uppercase: true)))", at: offset)
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        skipSpace()
        let root = try value()
        skipSpace()
        if i < bytes.count { throw fail("expected the end of the text after the value, found \(here)") }
        return root
    }

    mutating func value() throws(JSONDocument.SyntaxError) -> JSONDocument.Node {
        let start = i
        guard i < bytes.count else { throw fail("expected a value, found the end of the text") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return JSONDocument.Node(value: try object(), offset: start)
        case UInt8(ascii: "["): return JSONDocument.Node(value: try array(), offset: start)
        case UInt8(ascii: "\""): return JSONDocument.Node(value: .string(try string()), offset: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if bytes[i] == UInt8(ascii: "-"), i + 1 < bytes.count, isLetter(bytes[i + 1]) {
                i += 1
                let word = self.word()
                if let token = nonFinite(word) { return JSONDocument.Node(value: .nonFinite("-" + token), offset: start) }
                throw fail("expected a number after “-”, found “\(word)”", at: start + 1)
            }
            return JSONDocument.Node(value: .number(try number()), offset: start)
        default:
            guard isLetter(bytes[i]) else { throw fail("expected a value, found \(here)") }
            let word = self.word()
            switch word {
            case "true": return JSONDocument.Node(value: .bool(true), offset: start)
            case "false": return JSONDocument.Node(value: .bool(false), offset: start)
            case "null": return JSONDocument.Node(value: .null, offset: start)
            default:
                if let token = nonFinite(word) { return JSONDocument.Node(value: .nonFinite(token), offset: start) }
                let shown = word.count > 20 ? String(word.prefix(20)) + "…" : word
                throw fail("expected a value, found “\(shown)” (a string needs double quotes)", at: start)
            }
        }
    }

    func isLetter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }

    mutating func word() -> String {
        let start = i
        while i < bytes.count, isLetter(bytes[i]) { i += 1 }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    /// NaN or Infinity as a JSON5 writer spells it; nan, inf, infinity in any case when asked for.
    func nonFinite(_ word: String) -> String? {
        if word == "NaN" || word == "Infinity" { return word }
        guard nonFiniteTokens else { return nil }
        switch word.lowercased() {
        case "nan": return "NaN"
        case "inf", "infinity": return "Infinity"
        default: return nil
        }
    }

    mutating func enter() throws(JSONDocument.SyntaxError) {
        depth += 1
        if depth > 512 { throw fail("nested more than 512 levels deep") }
    }

    mutating func object() throws(JSONDocument.SyntaxError) -> JSONDocument.Value {
        try enter()
        defer { depth -= 1 }
        i += 1
        var members: [(key: String, value: JSONDocument.Node)] = []
        var seen: [String: Int] = [:]
        skipSpace()
        if i < bytes.count && bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                throw fail("expected a key in double quotes, found \(here)")
            }
            let keyOffset = i
            let key = try string()
            if let first = seen[key] {
                let (line, column) = JSONDocument.position(of: first, in: bytes)
                let again = JSONDocument.position(of: keyOffset, in: bytes)
                let places = line == again.line ? "line \(line), columns \(column) and \(again.column)" : "on line \(line) and line \(again.line)"
                throw fail(
                    "appears twice in one object (\(places)); expected each key once", at: keyOffset, field: JSONDocument.path(path + [.key(key)]))
            }
            seen[key] = keyOffset
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected “:” after the key \(key.debugDescription), found \(here)") }
            i += 1
            skipSpace()
            path.append(.key(key))
            members.append((key, try value()))
            path.removeLast()
            skipSpace()
            guard i < bytes.count else { throw fail("expected “,” or “}”, found the end of the text") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            throw fail("expected “,” or “}” after the value of \(key.debugDescription), found \(here)")
        }
    }

    mutating func array() throws(JSONDocument.SyntaxError) -> JSONDocument.Value {
        try enter()
        defer { depth -= 1 }
        i += 1
        var items: [JSONDocument.Node] = []
        skipSpace()
        if i < bytes.count && bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
        while true {
            skipSpace()
            // Only an object can hold a duplicate key, the one error that names a path: a number or a
            // string is read without marking its place.
            if i < bytes.count && (bytes[i] == UInt8(ascii: "{") || bytes[i] == UInt8(ascii: "[")) {
                path.append(.index(items.count))
                items.append(try value())
                path.removeLast()
            } else {
                items.append(try value())
            }
            skipSpace()
            guard i < bytes.count else { throw fail("expected “,” or “]”, found the end of the text") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            throw fail("expected “,” or “]” in a list, found \(here)")
        }
    }

    mutating func number() throws(JSONDocument.SyntaxError) -> String {
        let start = i
        func digits(_ reader: inout Reader) -> Int {
            let from = reader.i
            while reader.i < reader.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(reader.bytes[reader.i]) { reader.i += 1 }
            return reader.i - from
        }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        let integerStart = i
        guard digits(&self) > 0 else { throw fail("expected a digit in a number, found \(here)") }
        if bytes[integerStart] == UInt8(ascii: "0") && i - integerStart > 1 {
            throw fail("a number cannot start with 0 followed by digits", at: integerStart)
        }
        if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits(&self) > 0 else { throw fail("expected a digit after the decimal point, found \(here)") }
        }
        if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            i += 1
            if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
            guard digits(&self) > 0 else { throw fail("expected a digit in the exponent, found \(here)") }
        }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    mutating func string() throws(JSONDocument.SyntaxError) -> String {
        let open = i
        i += 1
        var scalars = String.UnicodeScalarView()
        var runStart = i
        func flush(_ reader: Reader, _ until: Int) {
            scalars.append(contentsOf: String(decoding: reader.bytes[runStart..<until], as: UTF8.self).unicodeScalars)
        }
        while true {
            guard i < bytes.count else { throw fail("the string that starts here has no closing quote", at: open) }
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                flush(self, i)
                i += 1
                return String(scalars)
            }
            if c < 0x20 {
                throw fail("a string cannot hold \(here) as it is; write it escaped (\\n, \\t, \\u00XX)")
            }
            if c != UInt8(ascii: "\\") { i += 1; continue }
            flush(self, i)
            i += 1
            guard i < bytes.count else { throw fail("the string that starts here has no closing quote", at: open) }
            let escape = bytes[i]
            i += 1
            switch escape {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800...0xDBFF).contains(code) {
                    guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw fail("a lone surrogate \\u\(String(code, radix: 16, uppercase: true)) is not a character", at: i - 6)
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("a lone surrogate is not a character", at: i - 12) }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(code) {
                    throw fail("a lone surrogate \\u\(String(code, radix: 16, uppercase: true)) is not a character", at: i - 6)
                }
                scalars.append(UnicodeScalar(code)!)
            default:
                throw fail("unknown escape “\\\(String(UnicodeScalar(escape)))” in a string", at: i - 2)
            }
            runStart = i
        }
    }

    mutating func hex4() throws(JSONDocument.SyntaxError) -> UInt32 {
        guard i + 4 <= bytes.count, bytes[i..<(i + 4)].allSatisfy({ UnicodeScalar($0).properties.isASCIIHexDigit }),
            let code = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16)
        else {
            throw fail("expected 4 hex digits after \\u")
        }
        i += 4
        return code
    }
}

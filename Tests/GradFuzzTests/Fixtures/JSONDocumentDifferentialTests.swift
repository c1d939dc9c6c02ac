import Foundation
import GradFuzzCore
import Testing

@testable import GradFuzzFixtures

// JSONDocument against Foundation's JSONDecoder on generated documents: where both read a text
// they read the same value, every number bit for bit; texts one step away from valid JSON are
// refused by both or read alike by both.

/// A JSON value in a form both readers can be compared in: objects as dictionaries.
private indirect enum Tree: Equatable, Decodable {
    case null, bool(Bool), number(Double), string(String), array([Tree]), object([String: Tree])

    /// Foundation's reading. JSONDecoder reads a number as Bool only if it is true or false.
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let x = try? c.decode(Double.self) {
            self = .number(x)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let items = try? c.decode([Tree].self) {
            self = .array(items)
        } else {
            self = .object(try c.decode([String: Tree].self))
        }
    }

    /// JSONDocument's reading.
    init(_ node: JSONDocument.Node) {
        switch node.value {
        case .null: self = .null
        case let .bool(b): self = .bool(b)
        case let .number(text): self = .number(Double(text)!)
        case let .nonFinite(token): self = .string("non-finite \(token)")
        case let .string(s): self = .string(s)
        case let .array(items): self = .array(items.map(Tree.init))
        case let .object(members): self = .object(Dictionary(members.map { ($0.key, Tree($0.value)) }) { first, _ in first })
        }
    }

    /// Whether the numbers in both are the same bits (== says -0 equals 0).
    func sameBits(as other: Tree) -> Bool {
        switch (self, other) {
        case let (.number(a), .number(b)): return a.bitPattern == b.bitPattern
        case let (.array(a), .array(b)): return a.count == b.count && zip(a, b).allSatisfy { $0.sameBits(as: $1) }
        case let (.object(a), .object(b)): return a.keys == b.keys && a.allSatisfy { key, value in value.sameBits(as: b[key]!) }
        default: return self == other
        }
    }
}

/// Random JSON texts: every kind of value, strings with escapes and characters of 1 to 4 bytes,
/// numbers in the forms people and printf write them.
private struct DocumentWriter {
    var rng: SplitMix64

    mutating func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }

    mutating func space() -> String { ["", "", " ", "\n  ", "\t", "\r\n"][below(6)] }

    mutating func number() -> String {
        switch below(6) {
        case 0: return "\(Int(truncatingIfNeeded: rng.next()) >> below(64))"
        case 1:
            var x = Double(bitPattern: rng.next())
            while !x.isFinite { x = Double(bitPattern: rng.next()) }
            return "\(x)"
        case 2: return String(format: "%.17g", rng.normal() * pow(10, Double(below(80) - 40)))
        case 3:
            // Not all zeros: JSONDecoder refuses a zero with a large exponent ("0.00e73").
            let digits = (0..<below(30)).map { _ in String(below(10)) }.joined() + String(1 + below(9))
            return (below(2) == 0 ? "-" : "") + "0." + digits + ["e", "E", "e+", "e-"][below(4)] + String(below(280))
        case 4: return ["0", "-0", "0.0", "-0.0", "4.9e-324", "2.2250738585072014e-308", "1.7976931348623157e308"][below(7)]
        default: return "\(below(1000)).\(below(1000))E\(below(20) - 10)"
        }
    }

    mutating func string() -> String {
        let pieces = [
            "a", "Z", " ", "0", "é", "日", "😀", "∂", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\b", "\\f", "\\r", "\\u00e9",
            "\\u0001", "\\uD83D\\uDE00", "\\u2028", "\\u0000", "'",
        ]
        return "\"" + (0..<below(8)).map { _ in pieces[below(pieces.count)] }.joined() + "\""
    }

    mutating func value(depth: Int) -> String {
        switch depth > 3 ? below(4) : below(7) {
        case 0: return ["null", "true", "false"][below(3)]
        case 1, 2: return number()
        case 3: return string()
        case 4, 5:
            let items = (0..<below(5)).map { _ in space() + value(depth: depth + 1) + space() }
            return "[" + items.joined(separator: ",") + "]"
        default:
            var keys: Set<String> = []
            var members: [String] = []
            for _ in 0..<below(5) {
                let key = string()
                guard keys.insert(key).inserted else { continue }
                members.append(space() + key + space() + ":" + space() + value(depth: depth + 1))
            }
            return "{" + members.joined(separator: ",") + space() + "}"
        }
    }
}

private func foundation(_ bytes: [UInt8]) -> Tree? {
    try? JSONDecoder().decode(Tree.self, from: Data(bytes))
}

private func document(_ bytes: [UInt8]) -> Tree? {
    (try? JSONDocument(bytes)).map { Tree($0.root) }
}

@Test func generatedDocumentsReadAsFoundationReadsThem() throws {
    var writer = DocumentWriter(rng: SplitMix64(seed: 2024))
    for n in 0..<400 {
        let text = writer.value(depth: 0)
        let ours = try #require(document(Array(text.utf8)), "document \(n) refused: \(text)")
        let theirs = try #require(foundation(Array(text.utf8)), "document \(n) refused by JSONDecoder: \(text)")
        #expect(ours.sameBits(as: theirs), "document \(n) read differently: \(text)\nours \(ours)\ntheirs \(theirs)")
    }
}

@Test func numbersReadBitForBitAsJSONDecoderReadsThem() throws {
    var writer = DocumentWriter(rng: SplitMix64(seed: 7))
    let numbers = (0..<3000).map { _ in writer.number() }
    let text = Array(("[" + numbers.joined(separator: ",") + "]").utf8)
    guard case let .array(items) = try JSONDocument(text).root.value else { Issue.record("not a list"); return }
    for (item, number) in zip(items, numbers) {
        guard case let .number(written) = item.value else { Issue.record("\(number) read as \(item.kind)"); continue }
        let theirs = try #require(try? JSONDecoder().decode([Double].self, from: Data("[\(number)]".utf8)), "JSONDecoder refused \(number)")
        #expect(written == number)
        #expect(Double(written)?.bitPattern == theirs[0].bitPattern, "\(number): ours \(Double(written) ?? .nan), JSONDecoder's \(theirs[0])")
    }
}

@Test func textsOneEditFromValidAreRefusedOrReadAlikeByBoth() {
    var writer = DocumentWriter(rng: SplitMix64(seed: 99))
    let inserts = Array("[]{},:\"\\-+.eE0 \n\u{01}x".utf8)
    var unexplained: [String] = []
    var refusedByBoth = 0, readByBoth = 0
    for _ in 0..<1500 {
        var bytes = Array(writer.value(depth: 0).utf8)
        let at = writer.below(bytes.count)
        switch writer.below(3) {
        case 0: bytes.remove(at: at)
        case 1: bytes.insert(inserts[writer.below(inserts.count)], at: at)
        default: bytes[at] = inserts[writer.below(inserts.count)]
        }
        let text = String(decoding: bytes, as: UTF8.self)
        switch (Result { () throws(JSONDocument.SyntaxError) in try JSONDocument(bytes) }, foundation(bytes)) {
        case (.failure, nil): refusedByBoth += 1
        case let (.success(ours), theirs?):
            readByBoth += 1
            #expect(Tree(ours.root).sameBits(as: theirs), "read differently: \(text)")
        case let (.failure(error), _?):
            // JSONDecoder takes a comma before "]" or "}", which JSON does not allow.
            let trailingComma = ["expected a value, found “]”", "expected a key in double quotes, found “}”"].contains(error.message)
            if !trailingComma { unexplained.append("refused only by JSONDocument (\(error)): \(text)") }
        case let (.success(ours), nil):
            // JSONDecoder refuses a number beyond Double's range, even one that rounds to 0; JSONDocument
            // keeps its text for the field's reader to judge.
            if !ours.root.holdsANumberBeyondDouble { unexplained.append("accepted only by JSONDocument: \(text)") }
        }
    }
    #expect(refusedByBoth > 300 && readByBoth > 300, "refused by both \(refusedByBoth), read by both \(readByBoth)")
    let shown = unexplained.prefix(10).joined(separator: "\n")
    #expect(unexplained.isEmpty, "\(unexplained.count) disagreements:\n\(shown)")
}

extension JSONDocument.Node {
    /// Whether some number in it overflows a Double, or underflows to zero while not written as zero.
    fileprivate var holdsANumberBeyondDouble: Bool {
        switch value {
        case let .number(text):
            let x = Double(text)!
            let mantissa = text.prefix { $0 != "e" && $0 != "E" }
            return !x.isFinite || (x == 0 && mantissa.contains { ("1"..."9").contains($0) })
        case let .array(items): return items.contains { $0.holdsANumberBeyondDouble }
        case let .object(members): return members.contains { $0.value.holdsANumberBeyondDouble }
        default: return false
        }
    }
}

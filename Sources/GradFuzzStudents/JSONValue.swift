import Foundation

/// Any JSON value, read with JSONDecoder so that every number reads back bit for bit.
indirect enum JSONValue: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let x = try? c.decode(Bool.self) {
            self = .bool(x)
        } else if let x = try? c.decode(Double.self) {
            self = .number(x)
        } else if let x = try? c.decode(String.self) {
            self = .string(x)
        } else if let x = try? c.decode([JSONValue].self) {
            self = .array(x)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    /// "a number", "a list of 3", …: what a message says was found.
    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case let .number(x): return "the number \(x)"
        case .string: return "a string"
        case let .array(a): return "a list of \(a.count)"
        case .object: return "an object"
        }
    }
}

import GradFuzzCore

/// A value of a `JSONDocument` with its field's name, read as the type a field wants; anything else
/// is an `InputError` that names the field, says what was expected in JSON's words ("a number",
/// "a list", "an object") and what was found.
struct JSONField {
    let node: JSONDocument.Node
    /// "W[0][1]", "tolerance.rtol"; "" for the whole document.
    let name: String

    /// The member `key` of this object; nil when it is absent or null.
    func member(_ key: String) -> JSONField? {
        guard let child = node[key] else { return nil }
        if case .null = child.value { return nil }
        return JSONField(node: child, name: name.isEmpty ? key : name + "." + key)
    }

    func wrong(_ expected: String) -> InputError {
        InputError(field: name.isEmpty ? "(file)" : name, "expected \(expected), got \(node.kind)")
    }

    func object() throws(InputError) -> JSONField {
        guard case .object = node.value else { throw wrong("an object") }
        return self
    }

    func string() throws(InputError) -> String {
        guard case let .string(s) = node.value else { throw wrong("a string") }
        return s
    }

    /// A finite number, read bit for bit.
    func double() throws(InputError) -> Double {
        switch node.value {
        case let .number(text):
            guard let x = Double(text), x.isFinite else {
                throw InputError(field: name, "expected a finite number, got \(JSONDocument.shown(text)), which is beyond Double's range (±1.8e308)")
            }
            return x
        case let .nonFinite(token):
            throw InputError(field: name, "expected a finite number, got \(token) (JSON has no NaN or Infinity)")
        default:
            throw wrong("a number")
        }
    }

    /// A whole number: digits, or a number with an integral value, within Int's range.
    func integer() throws(InputError) -> Int {
        guard case let .number(text) = node.value else { throw wrong("a whole number") }
        if let n = Int(text) { return n }
        if let x = Double(text), let n = Int(exactly: x) { return n }
        let shown = JSONDocument.shown(text)
        let why = Double(text).map { $0 == $0.rounded() } == true ? ", beyond the range of whole numbers gradfuzz reads (±9.2e18)" : ""
        throw InputError(field: name, "expected a whole number, got \(shown)\(why)")
    }

    func unsigned() throws(InputError) -> UInt64 {
        guard case let .number(text) = node.value, let n = UInt64(text) else { throw wrong("a whole number from 0 to \(UInt64.max)") }
        return n
    }

    func list() throws(InputError) -> [JSONField] {
        guard case let .array(items) = node.value else { throw wrong("a list") }
        return items.enumerated().map { JSONField(node: $1, name: "\(name)[\($0)]") }
    }

    func strings() throws(InputError) -> [String] { try list().map { item throws(InputError) in try item.string() } }
    func integers() throws(InputError) -> [Int] { try list().map { item throws(InputError) in try item.integer() } }
    func numbers() throws(InputError) -> [Double] { try list().map { item throws(InputError) in try item.double() } }
    func rows() throws(InputError) -> [[Double]] { try list().map { item throws(InputError) in try item.numbers() } }
    func matrices() throws(InputError) -> [[[Double]]] { try list().map { item throws(InputError) in try item.rows() } }
}

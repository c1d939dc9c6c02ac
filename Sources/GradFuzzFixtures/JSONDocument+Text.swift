extension JSONDocument.Node {
    /// The value as JSON text on one line, for a value kept without being understood: numbers as
    /// written, strings as `JSONText.string` writes them, ", " and ": " between items. Nil when it
    /// holds NaN or ±Infinity, which JSON has no text for.
    public var jsonText: String? {
        switch value {
        case .null: return "null"
        case let .bool(b): return b ? "true" : "false"
        case let .number(text): return text
        case .nonFinite: return nil
        case let .string(s): return JSONText.string(s)
        case let .array(items):
            var parts: [String] = []
            for item in items {
                guard let text = item.jsonText else { return nil }
                parts.append(text)
            }
            return "[" + parts.joined(separator: ", ") + "]"
        case let .object(members):
            var parts: [String] = []
            for (key, item) in members {
                guard let text = item.jsonText else { return nil }
                parts.append(JSONText.string(key) + ": " + text)
            }
            return "{" + parts.joined(separator: ", ") + "}"
        }
    }
}

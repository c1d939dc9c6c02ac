/// Building an HTML document as text: escaping, and a writer that appends elements.
///
/// Everything that comes from outside the report's own code (fixture ids, descriptions, file names,
/// a program's stderr, messages) goes through `escape`: in text and in attribute values alike.
public enum HTML {
    /// `text` safe in element content and in double- or single-quoted attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                // Control characters (a terminal's escapes in a program's stderr) are not HTML text.
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// A number as attributes and tooltips carry it: the shortest text that reads back bit for bit.
    public static func number(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x > 0 ? "Infinity" : "-Infinity" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }

    /// A number for people: 3 significant digits ("1.3e-06", "0.435", "0").
    public static func short(_ x: Double) -> String {
        if x == 0 { return "0" }
        if !x.isFinite { return number(x) }
        let magnitude = abs(x)
        if magnitude >= 1e-3 && magnitude < 1e4 {
            var text = String(format: "%.3g", x)
            if text.contains("e") { text = String(format: "%.1e", x) }
            return text
        }
        return String(format: "%.1e", x)
    }
}

/// An HTML document under construction: `open`/`close` elements, `text` (escaped) and `raw` markup.
public struct HTMLWriter {
    public private(set) var text = ""

    public init() { text.reserveCapacity(1 << 16) }

    /// Markup written as it is: only for the report's own constants and already-escaped text.
    public mutating func raw(_ markup: String) { text += markup }

    /// Text content, escaped.
    public mutating func text(_ content: String) { text += HTML.escape(content) }

    /// `<tag a="v" …>`: attribute values escaped; nil values left out.
    public mutating func open(_ tag: String, _ attributes: KeyValuePairs<String, String?> = [:]) {
        text += "<" + tag
        for (name, value) in attributes {
            guard let value else { continue }
            text += " \(name)=\"\(HTML.escape(value))\""
        }
        text += ">"
    }

    public mutating func close(_ tag: String) { text += "</\(tag)>" }

    /// `<tag …>text</tag>`, the text escaped.
    public mutating func element(_ tag: String, _ attributes: KeyValuePairs<String, String?> = [:], _ content: String) {
        open(tag, attributes)
        text(content)
        close(tag)
    }

    /// `<tag>text</tag>`, the text escaped.
    public mutating func element(_ tag: String, _ content: String) { element(tag, [:], content) }

    /// `<tag …>` … `</tag>` around what `body` writes.
    public mutating func element(_ tag: String, _ attributes: KeyValuePairs<String, String?> = [:], body: (inout HTMLWriter) -> Void) {
        open(tag, attributes)
        body(&self)
        close(tag)
    }
}

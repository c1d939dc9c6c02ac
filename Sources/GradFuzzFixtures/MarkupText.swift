/// Text inside XML or HTML, written by hand (JUnit reports, HTML reports).
public enum MarkupText {
    /// `text` safe as XML 1.0 character data, in HTML content, and in double- or single-quoted
    /// attribute values: the five markup characters escaped, and the characters markup cannot hold
    /// (a student's stderr may contain terminal escapes) written as "\u{1B}".
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
                let v = scalar.value
                if v < 0x20 || v == 0x7F || (0xFFFE...0xFFFF).contains(v) {
                    out += "\\u{\(String(v, radix: 16, uppercase: true))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

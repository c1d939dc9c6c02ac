/// Text a terminal shows as it is: a student's stderr or stdout excerpt on the grader's console.
public enum TerminalText {
    /// `text` with every character a terminal would obey written as a visible escape, so that a
    /// program cannot set the window title (ESC ] 0), clear the screen (ESC [ 2 J), move the cursor,
    /// overwrite "FAIL" with a carriage return, ring the bell, or reorder what follows (bidirectional
    /// overrides). Newlines and tabs are kept. ESC, CR, BS, BEL, FF, VT and NUL become \e, \r, \b,
    /// \a, \f, \v, \0; any other control character, DEL, a C1 control (U+0080–U+009F: U+009B is
    /// CSI to some terminals) or a bidirectional control becomes \u{…}, as `MarkupText` writes them.
    public static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            guard isControl(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\u{1B}": out += "\\e"
            case "\r": out += "\\r"
            case "\u{08}": out += "\\b"
            case "\u{07}": out += "\\a"
            case "\u{0C}": out += "\\f"
            case "\u{0B}": out += "\\v"
            case "\0": out += "\\0"
            default: out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            }
        }
        return out
    }

    /// C0 controls but newline and tab, DEL, C1 controls, and the bidirectional embeddings,
    /// overrides, isolates and marks.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: return false
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C: return true
        default: return false
        }
    }
}

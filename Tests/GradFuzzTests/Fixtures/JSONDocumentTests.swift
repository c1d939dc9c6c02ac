import Foundation
import Testing

@testable import GradFuzzFixtures

// JSONDocument on its own, in the manner of JSONTestSuite: y_ texts it must accept (with the value
// read), n_ texts it must refuse (with the reason and where).

/// A value written back compactly, strings quoted as Swift quotes them and numbers as written,
/// so that a case can state the value it expects in a few characters.
private func compact(_ node: JSONDocument.Node) -> String {
    switch node.value {
    case .null: return "null"
    case let .bool(b): return b ? "true" : "false"
    case let .number(text): return text
    case let .nonFinite(token): return "<\(token)>"
    case let .string(s): return s.debugDescription
    case let .array(items): return "[" + items.map(compact).joined(separator: ",") + "]"
    case let .object(members): return "{" + members.map { "\($0.key.debugDescription):\(compact($0.value))" }.joined(separator: ",") + "}"
    }
}

private func read(_ bytes: [UInt8], nonFiniteTokens: Bool = false) -> Result<String, JSONDocument.SyntaxError> {
    Result { () throws(JSONDocument.SyntaxError) in compact(try JSONDocument(bytes, nonFiniteTokens: nonFiniteTokens).root) }
}

private let accepted: [(name: String, text: String, value: String)] = [
    ("y_structure_lonely_null", "null", "null"),
    ("y_structure_lonely_true", "true", "true"),
    ("y_structure_whitespace_around", " \t\r\n[1]\n ", "[1]"),
    ("y_array_empty", "[]", "[]"),
    ("y_array_nested", "[[],[[]],[1,[2]]]", "[[],[[]],[1,[2]]]"),
    ("y_array_with_spaces", "[ 1 , 2 ]", "[1,2]"),
    ("y_number_negative_zero", "-0", "-0"),
    ("y_number_zero_fraction", "0.0", "0.0"),
    ("y_number_exponent_capital_plus", "1E+2", "1E+2"),
    ("y_number_exponent_minus", "-1.5e-3", "-1.5e-3"),
    ("y_number_huge_exponent", "123.456e-789", "123.456e-789"),
    ("y_number_many_digits", "0.30000000000000004441", "0.30000000000000004441"),
    ("y_string_empty", "\"\"", "\"\""),
    ("y_string_simple_escapes", #""\"\\\/\b\f\n\r\t""#, #""\"\\/\u{08}\u{0C}\n\r\t""#),
    ("y_string_unicode_escape", #""\u00e9\u00E9""#, "\"éé\""),
    ("y_string_surrogate_pair", #""\ud83d\ude00""#, "\"😀\""),
    ("y_string_escaped_nul", #""a\u0000b""#, "\"a\\0b\""),
    ("y_string_utf8", "\"日本 ∂\"", "\"日本 ∂\""),
    ("y_string_escape_then_text", #""x\ny\tz""#, "\"x\\ny\\tz\""),
    ("y_object_empty", "{}", "{}"),
    ("y_object_empty_key", "{\"\":0}", "{\"\":0}"),
    ("y_object_order_kept", "{\"b\":1,\"a\":2}", "{\"b\":1,\"a\":2}"),
    ("y_object_nested", "{\"a\":{\"b\":[1,{\"c\":null}]}}", "{\"a\":{\"b\":[1,{\"c\":null}]}}"),
    ("y_object_same_key_in_siblings", "[{\"a\":1},{\"a\":2}]", "[{\"a\":1},{\"a\":2}]"),
    ("y_nonfinite_json5_words", "[NaN,Infinity,-Infinity]", "[<NaN>,<Infinity>,<-Infinity>]"),
]

private let refused: [(name: String, text: String, reason: String, column: Int)] = [
    ("n_structure_empty", "", "expected a value, found the end of the text", 1),
    ("n_structure_only_space", "  ", "expected a value, found the end of the text", 3),
    ("n_structure_two_values", "[1] [2]", "expected the end of the text after the value, found “[”", 5),
    ("n_structure_unclosed_array", "[1", "expected “,” or “]”, found the end of the text", 3),
    ("n_structure_unclosed_object", "{\"a\":1", "expected “,” or “}”, found the end of the text", 7),
    ("n_structure_comment", "[1 /* c */]", "expected “,” or “]” in a list, found “/”", 4),
    ("n_structure_control_character", "[\u{01}]", "expected a value, found the control character 0x1", 2),
    ("n_array_trailing_comma", "[1,]", "expected a value, found “]”", 4),
    ("n_array_missing_comma", "[1 2]", "expected “,” or “]” in a list, found “2”", 4),
    ("n_object_trailing_comma", "{\"a\":1,}", "expected a key in double quotes, found “}”", 8),
    ("n_object_unquoted_key", "{a:1}", "expected a key in double quotes, found “a”", 2),
    ("n_object_missing_colon", "{\"a\" 1}", "expected “:” after the key \"a\", found “1”", 6),
    ("n_object_value_then_junk", "{\"a\":1 x}", "expected “,” or “}” after the value of \"a\", found “x”", 8),
    ("n_object_duplicate_key", "{\"a\":1,\"a\":2}", "appears twice in one object", 8),
    ("n_number_leading_zero", "012", "a number cannot start with 0 followed by digits", 1),
    ("n_number_plus", "+1", "expected a value, found “+”", 1),
    ("n_number_starts_with_dot", ".5", "expected a value, found “.”", 1),
    ("n_number_ends_with_dot", "1.", "expected a digit after the decimal point, found the end of the text", 3),
    ("n_number_empty_exponent", "1e+", "expected a digit in the exponent, found the end of the text", 4),
    ("n_number_minus_alone", "-", "expected a digit in a number, found the end of the text", 2),
    ("n_number_minus_space", "- 1", "expected a digit in a number, found “ ”", 2),
    ("n_number_hex", "0x1", "expected the end of the text after the value, found “x”", 2),
    ("n_number_minus_word", "-foo", "expected a number after “-”, found “foo”", 2),
    ("n_literal_capitalised", "True", "expected a value, found “True” (a string needs double quotes)", 1),
    ("n_literal_bare_word", "[1, x]", "expected a value, found “x” (a string needs double quotes)", 5),
    ("n_nonfinite_lowercase_not_asked_for", "[nan]", "expected a value, found “nan”", 2),
    ("n_nonfinite_inf_not_asked_for", "[-inf]", "expected a number after “-”, found “inf”", 3),
    ("n_string_single_quotes", "['a']", "expected a value, found “'”", 2),
    ("n_string_unterminated", "[\"abc", "the string that starts here has no closing quote", 2),
    ("n_string_raw_newline", "\"a\nb\"", "a string cannot hold the control character 0xA as it is", 3),
    ("n_string_raw_tab", "\"a\tb\"", "a string cannot hold the control character 0x9 as it is", 3),
    ("n_string_unknown_escape", #""\x41""#, "unknown escape “\\x” in a string", 2),
    ("n_string_short_unicode_escape", #""\u12G4""#, "expected 4 hex digits after \\u", 4),
    ("n_string_lone_high_surrogate", #""\ud800x""#, "a lone surrogate \\uD800 is not a character", 2),
    ("n_string_lone_low_surrogate", #""\udc00""#, "a lone surrogate \\uDC00 is not a character", 2),
    ("n_string_high_then_not_low", #""\ud800\u0041""#, "a lone surrogate is not a character", 2),
]

@Test func acceptedTextsReadAsTheirValues() {
    for (name, text, value) in accepted {
        switch read(Array(text.utf8)) {
        case let .success(read): #expect(read == value, "\(name): expected \(value), got \(read)")
        case let .failure(error): Issue.record("\(name): refused: \(error)")
        }
    }
}

@Test func refusedTextsSayWhyAndWhere() {
    for (name, text, reason, column) in refused {
        switch read(Array(text.utf8)) {
        case let .success(value): Issue.record("\(name): accepted as \(value)")
        case let .failure(error):
            #expect(error.message.hasPrefix(reason), "\(name): expected “\(reason)”, got “\(error.message)”")
            #expect(error.line == 1 && error.column == column, "\(name): expected column \(column), got \(error)")
            #expect(!error.message.contains("\n"), "\(name): one line: \(error.message)")
        }
    }
}

@Test func anErrorOnALaterLineGivesThatLineAndItsColumnInCharacters() throws {
    // Columns count characters: “∂” is three bytes and one column.
    let error = try #require(read(Array("[1,\n \"∂\" 3]".utf8)).failure)
    #expect((error.line, error.column, error.offset) == (2, 6, 11), "\(error)")
}

@Test func bytesThatAreNotUTF8AreRefusedWithTheByte() throws {
    let error = try #require(read([0x5B, 0x22, 0x61, 0xC3, 0x28, 0x22, 0x5D]).failure)
    #expect(error.message == "invalid UTF-8 (byte 0xC3)" && error.offset == 3, "\(error)")
    #expect(read([0xEF, 0xBB, 0xBF] + Array("[1]".utf8)).success == "[1]", "a byte order mark is skipped")
}

@Test func nestingIsRefusedPast512Levels() {
    #expect(read(Array((String(repeating: "[", count: 512) + String(repeating: "]", count: 512)).utf8)).success != nil)
    let error = read(Array(String(repeating: "[", count: 513).utf8)).failure
    #expect(error?.message == "nested more than 512 levels deep" && error?.column == 513, "\(String(describing: error))")
}

@Test func aDuplicateKeyNamesItsFieldAndBothPlaces() throws {
    let error = try #require(read(Array("{\"a\": [{\"b\": 1,\n \"b\": 2}]}".utf8)).failure)
    #expect(error.field == "a[0].b", "\(error)")
    #expect(error.message.contains("line 1") && error.message.contains("line 2"), "\(error)")
}

@Test func nonFiniteTokensAreReadWhenAskedFor() {
    let cases: [(String, String)] = [
        ("[nan, NAN, -nan]", "[<NaN>,<NaN>,<-NaN>]"),
        ("[inf, -inf, Inf]", "[<Infinity>,<-Infinity>,<Infinity>]"),
        ("[infinity, -INFINITY, NaN]", "[<Infinity>,<-Infinity>,<NaN>]"),
        ("{\"nan\": \"inf\"}", "{\"nan\":\"inf\"}"),
    ]
    for (text, value) in cases {
        let got = read(Array(text.utf8), nonFiniteTokens: true)
        #expect(got.success == value, "\(text): expected \(value), got \(got)")
    }
    for text in ["[nann]", "[infinit]", "[-na]", "[+inf]"] {
        #expect(read(Array(text.utf8), nonFiniteTokens: true).success == nil, "\(text) was accepted")
    }
}

extension Result {
    fileprivate var success: Success? { if case let .success(s) = self { s } else { nil } }
    fileprivate var failure: Failure? { if case let .failure(f) = self { f } else { nil } }
}

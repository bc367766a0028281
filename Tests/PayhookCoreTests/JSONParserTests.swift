import PayhookCore
import Testing

/// Parses `text` and returns the error, or `nil` when it parsed.
private func failure(_ text: String, limits: JSONLimits = JSONLimits()) -> JSONError? {
    failure(Array(text.utf8), limits: limits)
}

private func failure(_ bytes: [UInt8], limits: JSONLimits = JSONLimits()) -> JSONError? {
    do {
        _ = try JSONParser.parse(bytes, limits: limits)
        return nil
    } catch {
        return error
    }
}

private func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

@Suite struct JSONParserTests {
    @Test("objects keep member order and numbers keep their exact text")
    func orderAndNumbers() throws {
        let v = try parse(#" {"b":1.50,"a":[true,false,null],"c":"x","d":-0,"e":1E+3} "#)
        guard case .object(let members) = v else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == ["b", "a", "c", "d", "e"])
        #expect(v["b"] == .number("1.50"))
        #expect(v["a"] == .array([.bool(true), .bool(false), .null]))
        #expect(v["d"]?.numberText == "-0")
        #expect(v["e"]?.numberText == "1E+3")
    }

    @Test("an integer beyond UInt64 survives as text")
    func bigNumber() throws {
        let v = try parse(#"{"id":123456789012345678901234567890}"#)
        #expect(v["id"]?.numberText == "123456789012345678901234567890")
    }

    @Test(
        "any value may be the top-level value (RFC 8259 section 2)",
        arguments: [
            ("1", JSONValue.number("1")), ("\"s\"", .string("s")), ("null", .null), (" true ", .bool(true)), ("[]", .array([])), ("{}", .object([])),
        ])
    func scalarsAtTop(text: String, expected: JSONValue) throws {
        #expect(try parse(text) == expected)
    }

    @Test("all nine escapes and \\u escapes decode, including a surrogate pair")
    func escapes() throws {
        let v = try parse(#""\"\\\/\b\f\n\r\t\u0041\u00e9\u20AC\uD83D\uDE00\u0000""#)
        #expect(v == .string("\"\\/\u{08}\u{0C}\n\r\tAé€😀\u{0}"))
    }

    @Test("raw UTF-8 of every length is accepted")
    func utf8() throws {
        #expect(try parse("\"aé€😀\"") == .string("aé€😀"))
    }

    @Test(
        "numbers outside the RFC 8259 grammar fail with invalid_number at the offending byte",
        arguments: [
            ("01", 1), ("-01", 2), ("-a", 1), ("1.a", 2), ("1.e5", 2), ("1ex", 2), ("1e+x", 3), ("00", 1),
        ])
    func invalidNumbers(text: String, offset: Int) {
        #expect(failure(text) == JSONError(.invalidNumber, at: offset))
    }

    @Test(
        "numbers a JSON reader might allow but RFC 8259 does not are refused",
        arguments: [
            "+1", ".5", "NaN", "Infinity", "0x10",
        ])
    func nonJSONNumbers(text: String) {
        #expect(failure(text) != nil)
    }

    @Test("a number cut short by the end of input is unexpected_end", arguments: ["-", "1.", "1e", "1e-"])
    func truncatedNumbers(text: String) {
        #expect(failure(text) == JSONError(.unexpectedEnd, at: text.utf8.count))
    }

    @Test("bytes after the top-level value are trailing_bytes at their offset")
    func trailing() {
        #expect(failure(#"{"a":1} x"#) == JSONError(.trailingBytes, at: 8))
        #expect(failure("1 2") == JSONError(.trailingBytes, at: 2))
        #expect(failure("{}{}") == JSONError(.trailingBytes, at: 2))
    }

    @Test("empty input and whitespace alone are unexpected_end")
    func empty() {
        #expect(failure("") == JSONError(.unexpectedEnd, at: 0))
        #expect(failure(" \n") == JSONError(.unexpectedEnd, at: 2))
    }

    @Test(
        "structural mistakes fail at the offending byte",
        arguments: [
            (#"{"a":1,}"#, JSONError(.unexpectedByte, at: 7)),
            ("[1,]", JSONError(.unexpectedByte, at: 3)),
            (#"{"a" 1}"#, JSONError(.unexpectedByte, at: 5)),
            ("{a:1}", JSONError(.unexpectedByte, at: 1)),
            ("[1 2]", JSONError(.unexpectedByte, at: 3)),
            ("tru", JSONError(.unexpectedEnd, at: 3)),
            ("nul1", JSONError(.unexpectedByte, at: 3)),
            ("'a'", JSONError(.unexpectedByte, at: 0)),
            ("[1", JSONError(.unexpectedEnd, at: 2)),
            (#"{"a":1"#, JSONError(.unexpectedEnd, at: 6)),
            ("/*c*/1", JSONError(.unexpectedByte, at: 0)),
            ("\u{0B}1", JSONError(.unexpectedByte, at: 0)),
        ])
    func structural(text: String, expected: JSONError) {
        #expect(failure(text) == expected)
    }

    @Test("a UTF-8 byte order mark is refused (RFC 8259 section 8.1: senders must not add one)")
    func bom() {
        #expect(failure([0xEF, 0xBB, 0xBF] + Array("{}".utf8)) == JSONError(.unexpectedByte, at: 0))
    }

    @Test(
        "ill-formed UTF-8 in a string fails with invalid_utf8 at the bad byte",
        arguments: [
            ([0x22, 0x80, 0x22], 1),  // lone continuation byte
            ([0x22, 0xC0, 0xAF, 0x22], 1),  // overlong "/"
            ([0x22, 0xE0, 0x80, 0xAF, 0x22], 2),  // overlong 3-byte
            ([0x22, 0xED, 0xA0, 0x80, 0x22], 2),  // encoded surrogate U+D800
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 2),  // above U+10FFFF
            ([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], 1),
            ([0x22, 0xC3, 0x28, 0x22], 2),  // lead byte without its continuation
            ([0x22, 0xFF, 0x22], 1),
        ] as [([UInt8], Int)])
    func invalidUTF8(bytes: [UInt8], offset: Int) {
        #expect(failure(bytes) == JSONError(.invalidUTF8, at: offset))
    }

    @Test(
        "lone surrogate escapes fail with lone_surrogate at the escape",
        arguments: [
            (#""\uD800""#, 1), (#""\uDC00""#, 1), (#""a\uD83Dx""#, 2), (#""\uD83D\u0041""#, 1), (#""\uD83D\uD83D""#, 1),
        ])
    func loneSurrogates(text: String, offset: Int) {
        #expect(failure(text) == JSONError(.loneSurrogate, at: offset))
    }

    @Test(
        "unknown escapes and bad hex digits fail with invalid_escape",
        arguments: [
            (#""\x""#, 2), (#""\u00G0""#, 5), (#""\U0041""#, 2), (#""\'""#, 2),
        ])
    func badEscapes(text: String, offset: Int) {
        #expect(failure(text) == JSONError(.invalidEscape, at: offset))
    }

    @Test("raw control characters inside a string are refused, DEL is allowed")
    func controlCharacters() throws {
        #expect(failure("\"a\tb\"") == JSONError(.controlCharacter, at: 2))
        #expect(failure([0x22, 0x00, 0x22]) == JSONError(.controlCharacter, at: 1))
        #expect(try parse("\"\u{7F}\"") == .string("\u{7F}"))
    }

    @Test("an unterminated string is unexpected_end at the input's length")
    func unterminated() {
        #expect(failure(#"{"a":"bc"#) == JSONError(.unexpectedEnd, at: 8))
        #expect(failure(#""\u12"#) == JSONError(.unexpectedEnd, at: 5))
        #expect(failure([0x22, 0xE2, 0x82]) == JSONError(.unexpectedEnd, at: 3))
    }

    @Test("duplicate member names are refused at the second key, in small and large objects")
    func duplicates() {
        #expect(failure(#"{"a":1,"b":2,"a":3}"#) == JSONError(.duplicateKey, at: 13))
        let many = (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let text = "{" + many + #","k33":0}"#
        #expect(failure(text) == JSONError(.duplicateKey, at: text.utf8.count - 8))
        #expect(failure("{" + many + "}") == nil)
    }

    @Test("keys that differ only after unescaping are duplicates")
    func duplicateAfterEscape() {
        #expect(failure(#"{"a":1,"\u0061":2}"#) == JSONError(.duplicateKey, at: 7))
    }

    @Test("allowDuplicateKeys keeps every member and lookups see the first")
    func duplicatesAllowed() throws {
        let v = try JSONParser.parse(Array(#"{"a":1,"a":2}"#.utf8), limits: JSONLimits(allowDuplicateKeys: true))
        #expect(v.objectMembers?.count == 2)
        #expect(v["a"] == .number("1"))
    }
}

@Suite struct JSONParserLimitTests {
    private func nested(_ depth: Int, open: String = "[", close: String = "]") -> String {
        String(repeating: open, count: depth) + String(repeating: close, count: depth)
    }

    @Test("nesting at maxNestingDepth parses; one more level fails with too_deep at the extra bracket")
    func depthLimit() {
        let limits = JSONLimits(maxNestingDepth: 5)
        #expect(failure(nested(5), limits: limits) == nil)
        #expect(failure(nested(6), limits: limits) == JSONError(.tooDeep, at: 5))
    }

    @Test("objects count toward the depth like arrays")
    func depthObjects() {
        let limits = JSONLimits(maxNestingDepth: 2)
        #expect(failure(#"{"a":{"b":1}}"#, limits: limits) == nil)
        #expect(failure(#"{"a":{"b":[]}}"#, limits: limits) == JSONError(.tooDeep, at: 10))
    }

    @Test("the default depth limit is 64")
    func defaultDepth() {
        #expect(JSONLimits().maxNestingDepth == 64)
        #expect(failure(nested(64)) == nil)
        #expect(failure(nested(65)) == JSONError(.tooDeep, at: 64))
    }

    @Test("a depth limit of 0 still accepts a scalar document")
    func depthZero() {
        let limits = JSONLimits(maxNestingDepth: 0)
        #expect(failure("1", limits: limits) == nil)
        #expect(failure("[]", limits: limits) == JSONError(.tooDeep, at: 0))
    }

    @Test("a deep hostile input fails cleanly instead of exhausting the stack")
    func hostileDepth() {
        #expect(failure(String(repeating: "[", count: 100_000))?.kind == .tooDeep)
    }
}

@Suite struct JSONParserDepthCeilingTests {
    private func nested(_ depth: Int) -> String {
        String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    }

    @Test("no limit can exceed the depth ceiling: at 128 the input parses, at 129 it fails")
    func ceiling() {
        let limits = JSONLimits(maxNestingDepth: 1_000)
        #expect(JSONLimits.maxNestingDepthCeiling == 128)
        #expect(failure(nested(128), limits: limits) == nil)
        #expect(failure(nested(129), limits: limits) == JSONError(.tooDeep, at: 128))
    }

    @Test("a caller passing Int.max with a 100k-deep input gets the depth error, not a crash")
    func hostileDepthWithHugeLimit() {
        let limits = JSONLimits(maxNestingDepth: .max)
        #expect(failure(String(repeating: "[", count: 100_000), limits: limits) == JSONError(.tooDeep, at: 128))
        #expect(failure(String(repeating: #"{"a":"#, count: 100_000), limits: limits) == JSONError(.tooDeep, at: 128 * 5))
    }

    @Test("the selective parse keeps the ceiling too, in selected and skipped values")
    func selectionCeiling() {
        let limits = JSONLimits(maxNestingDepth: .max)
        let deep = Array(String(repeating: "[", count: 100_000).utf8)
        #expect(throws: JSONError(.tooDeep, at: 128)) { try JSONParser.parse(deep, limits: limits, selecting: .scalars) }
        let member = Array((#"{"a":"# + String(repeating: #"{"a":"#, count: 100_000)).utf8)
        #expect(throws: JSONError(.tooDeep, at: 128 * 5)) { try JSONParser.parse(member, limits: limits, selecting: .members(["b": .all])) }
        #expect(throws: JSONError(.tooDeep, at: 128 * 5)) { try JSONParser.parse(member, limits: limits, selecting: .members(["a": .scalars])) }
    }
}

import PayhookCore
import Testing

/// Member names compare by their UTF-8 bytes, never by Unicode canonical equivalence (which is
/// what Swift's `String ==` and hashing use): a lookalike name must not stand for another.
@Suite struct JSONKeyBytesTests {
    /// U+212A KELVIN SIGN is canonically equivalent to U+004B `K`.
    private let kelvin = "\u{212A}"

    @Test("the Kelvin sign key does not find `K`, and `K` does not find the Kelvin sign key")
    func kelvinIsNotK() throws {
        #expect(kelvin == "K")  // what Swift's String says, the reason for this suite
        let withK = try JSONParser.parse(Array(#"{"K":1}"#.utf8))
        #expect(withK[kelvin] == nil)
        #expect(withK["K"] == .number("1"))
        let withKelvin = try JSONParser.parse(Array(#"{"\u212A":1}"#.utf8))
        #expect(withKelvin["K"] == nil)
        #expect(withKelvin[kelvin] == .number("1"))
    }

    @Test("NFC and NFD spellings of a name are two distinct keys, not a duplicate")
    func nfcAndNFDAreDistinct() throws {
        let text = #"{"\u00e9":1,"e\u0301":2}"#
        let v = try JSONParser.parse(Array(text.utf8))
        #expect(v.objectMembers?.count == 2)
        #expect(v["\u{E9}"] == .number("1"))
        #expect(v["e\u{301}"] == .number("2"))
        // Raw (unescaped) UTF-8 too, and past the size where duplicate detection uses a set.
        let many = (0..<20).map { "\"k\($0)\":\($0)," }.joined()
        let raw = "{" + many + "\"\u{E9}\":1,\"e\u{301}\":2,\"\u{212A}\":3,\"K\":4}"
        let big = try JSONParser.parse(Array(raw.utf8))
        #expect(big.objectMembers?.count == 24)
        #expect(big["K"] == .number("4"))
        #expect(big[kelvin] == .number("3"))
    }

    @Test("byte-identical names are still duplicates, escaped or not, small or large objects")
    func sameBytesStillDuplicate() {
        #expect(throws: JSONError(.duplicateKey, at: 18)) { try JSONParser.parse(Array(#"{"\u212A":1,"K":2,"\u212a":3}"#.utf8)) }
        let many = (0..<20).map { "\"k\($0)\":\($0)," }.joined()
        let text = "{" + many + "\"\u{E9}\":1,\"\\u00e9\":2}"
        #expect(throws: JSONError(.duplicateKey, at: text.utf8.count - 11)) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test("values that differ only by canonical equivalence are not equal")
    func equalityIsByBytes() throws {
        let a = try JSONParser.parse(Array(#"{"K":"\u00e9"}"#.utf8))
        let b = try JSONParser.parse(Array(#"{"\u212A":"\u00e9"}"#.utf8))
        let c = try JSONParser.parse(Array(#"{"K":"e\u0301"}"#.utf8))
        #expect(a != b)
        #expect(a != c)
        #expect(a == (try JSONParser.parse(Array(#"{"K":"é"}"#.utf8))))
    }

    @Test("a selective parse selects and checks duplicates by bytes too")
    func selectionIsByBytes() throws {
        let wanted = JSONSelection.members(["K": .all, "\u{E9}": .all])
        let lookalikes = try JSONParser.parse(Array(#"{"\u212A":1,"e\u0301":2}"#.utf8), selecting: wanted)
        #expect(lookalikes.objectMembers?.count == 0)
        let both = try JSONParser.parse(Array(#"{"K":1,"\u212A":2,"\u00e9":3,"e\u0301":4}"#.utf8), selecting: wanted)
        #expect(both["K"] == .number("1"))
        #expect(both["\u{E9}"] == .number("3"))
        #expect(both.objectMembers?.count == 2)
        #expect(throws: JSONError(.duplicateKey, at: 7)) { try JSONParser.parse(Array(#"{"K":1,"\u004b":2}"#.utf8), selecting: wanted) }
    }
}

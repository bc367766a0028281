import PayhookCore
import Testing

@testable import PayhookProviders

@Suite struct FieldReadingTests {
    @Test(
        "plain decimals are amounts; exponents, grouping, units, signs other than '-' are not",
        arguments: [
            ("5", true), ("15.04", true), ("-5.00", true), ("0.000000001", true), ("12345678901234567890.12", true),
            ("1e2", false), ("1,000", false), ("1 EUR", false), ("+5", false), (".5", false), ("5.", false), ("", false), ("-", false),
            ("5.0.1", false), (" 5", false),
        ])
    func plainDecimal(text: String, expected: Bool) {
        #expect(DecimalText.isPlainDecimal(text) == expected)
    }

    @Test("amounts come from numbers or decimal strings, verbatim; anything else is absent")
    func amount() {
        #expect(DecimalText.amount(.number("15.04")) == "15.04")
        #expect(DecimalText.amount(.number("1.10")) == "1.10")
        #expect(DecimalText.amount(.string("1.10")) == "1.10")
        #expect(DecimalText.amount(.number("1E2")) == nil)
        #expect(DecimalText.amount(.string("1,000 usdc")) == nil)
        #expect(DecimalText.amount(.null) == nil)
        #expect(DecimalText.amount(.bool(true)) == nil)
        #expect(DecimalText.amount(.object([])) == nil)
        #expect(DecimalText.amount(nil) == nil)
    }

    @Test("required ids: integer numbers of any size or strings; the reason names the field")
    func requiredID() throws {
        let v = try JSONParser.parse(TestSources.bytes(#"{"a":12,"b":"x-1","c":1.0,"d":null,"e":[],"f":"","g":"12","h":"1\u0000"}"#))
        #expect(try v.requiredID("a", digitsOnly: true) == "12")
        #expect(try v.requiredID("b", digitsOnly: false) == "x-1")
        #expect(try v.requiredID("g", digitsOnly: true) == "12")
        #expect(throws: Quarantine.self) { try v.requiredID("b", digitsOnly: true) }
        for (key, reason) in [
            ("c", "wrong_type:c"), ("d", "missing_field:d"), ("e", "wrong_type:e"), ("f", "empty_field:f"), ("h", "invalid_field:h"),
            ("z", "missing_field:z"),
        ] {
            do {
                _ = try v.requiredID(key, digitsOnly: false)
                Issue.record("\(key) accepted")
            } catch {
                #expect(error.reason == reason)
            }
        }
    }
}

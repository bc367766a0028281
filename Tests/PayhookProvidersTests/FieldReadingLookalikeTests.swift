import PayhookCore
import Testing

@testable import PayhookProviders

/// The field readers the verifiers and normalizers use find a member only by its exact bytes: a
/// name that Swift's `String ==` calls equal (canonical equivalence) is a different field.
@Suite struct FieldReadingLookalikeTests {
    /// The quarantine reason `read` throws, or `nil` when it returned.
    private func reasonOf(_ read: () throws -> String) -> String? {
        do {
            _ = try read()
            return nil
        } catch {
            return (error as? Quarantine)?.reason
        }
    }

    @Test("a Kelvin-sign key does not satisfy a lookup of `K`; an NFD key does not satisfy its NFC name")
    func lookalikeKeysAreMissing() throws {
        let body = try JSONParser.parse(TestSources.bytes(#"{"\u212A":"forged","e\u0301vent":"forged","K2":"real"}"#))
        for (key, reason) in [("K", "missing_field:K"), ("\u{E9}vent", "missing_field:\u{E9}vent")] {
            #expect(reasonOf { try body.requiredString(key) } == reason)
            #expect(reasonOf { try body.requiredID(key, digitsOnly: false) } == reason)
            #expect(body.optionalString(key) == nil)
            #expect(body.optionalNonEmptyString(key) == nil)
        }
        #expect(try body.requiredString("K2") == "real")
    }

    @Test("a Noventiq signed field spelled with a lookalike name counts as missing in the signed string")
    func signedFieldLookalike() throws {
        // `K` stands in for a signed name: the fields Noventiq signs are lowercase ASCII, for which
        // no canonically equivalent spelling exists, so the reader is checked with one that has.
        let body = try JSONParser.parse(TestSources.bytes(#"{"event":"e","order_id":1,"customer":{"\u212Amail":"x","email":null}}"#))
        #expect(try Noventiq.signedSuffix(of: body) == Array(";e;1;;;;".utf8))
        let selected = try JSONParser.parse(
            TestSources.bytes(#"{"event":"e","order_id":1,"customer":{"\u212Amail":"x"}}"#), selecting: Noventiq.signedSelection)
        #expect(try Noventiq.signedSuffix(of: selected) == Array(";e;1;;;;".utf8))
        #expect(body["customer"]?["Kmail"] == nil)
    }
}

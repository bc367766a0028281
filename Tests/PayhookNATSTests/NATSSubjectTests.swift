import PayhookNATS
import Testing

@Suite struct NATSSubjectTests {
    @Test func rendersPlaceholdersAsSingleTokens() {
        let s = NATSSubject("pay.{source}.{kind}.{status}.{provider}")
        #expect(s.render(source: "a.b", kind: "payin", status: "succeeded", provider: "nonstopay") == "pay.a_b.payin.succeeded.nonstopay")
        #expect(s.pattern == "pay.*.*.*.*")
        #expect(NATSSubject("pay.x-{source}").pattern == "pay.*")
    }

    @Test func validateRefusesWildcardsEmptyTokensAndUnknownPlaceholders() {
        #expect(NATSSubject.validate("pay.{source}") == nil)
        #expect(NATSSubject.validate("pay..x") != nil)
        #expect(NATSSubject.validate("pay.>") != nil)
        #expect(NATSSubject.validate("pay.{payment_id}") != nil)
        #expect(NATSSubject.validate("") != nil)
    }

    @Test func coverageIsTokenWise() {
        #expect(NATSSubject.covers("pay.>", "pay.*.*"))
        #expect(NATSSubject.covers("pay.*.*", "pay.*.*"))
        #expect(NATSSubject.covers(">", "pay.*"))
        #expect(!NATSSubject.covers("pay.*", "pay.*.*"))
        #expect(!NATSSubject.covers("pay.a.*", "pay.*.*"))
        #expect(!NATSSubject.covers("other.>", "pay.*"))
        #expect(NATSSubject.covers("pay.a", "pay.a"))
        #expect(!NATSSubject.covers("pay.>", "pay"))
    }
}

@Suite struct NATSKeyTests {
    @Test func escapesEverythingOutsideKeyCharactersAsHex() {
        #expect(NATSKey.escape("ord-1_A9") == "ord-1_A9")
        #expect(NATSKey.escape("a.b c") == "a=2Eb=20c")
        #expect(NATSKey.escape("x=y") == "x=3Dy")
        #expect(NATSKey.escape("é") == "=C3=A9")
        // Distinct ids never collide, even one that spells another's escape.
        #expect(NATSKey.escape("=2E") != NATSKey.escape("."))
        #expect(NATSKey.payment(source: "nonstopay-payin", paymentID: "p/1") == "nonstopay-payin.p=2F1")
    }
}

import PayhookProviders
import Testing

@Suite struct VerifyTests {
    let body = TestSources.bytes(#"{"status":"invoice:paid","id":1}"#)
    var signature: String { Encoding.hex(Crypto.hmacSHA256(key: TestSources.nonstopaySecret, message: body)) }

    @Test("the signature header is found whatever its case", arguments: ["X-Signature", "x-signature", "X-SIGNATURE", "x-SiGnAtUrE"])
    func headerCase(name: String) {
        let result = Providers.verify(
            TestSources.nonstopay(), headers: [(name: "Content-Type", value: "application/json"), (name: name, value: signature)], body: body)
        #expect(result == .verified(by: "hmac-sha256-hex"))
    }

    @Test("spaces and tabs around the header value are ignored")
    func trimmed() {
        #expect(Providers.verify(TestSources.nonstopay(), headers: [(name: "X-Signature", value: " \t\(signature) ")], body: body).isVerified)
    }

    @Test("no header, an empty one, or the other provider's header name is missing_signature")
    func missing() {
        let source = TestSources.nonstopay()
        #expect(Providers.verify(source, headers: [], body: body) == .rejected(.missingSignature))
        #expect(Providers.verify(source, headers: [(name: "X-Signature", value: "")], body: body) == .rejected(.missingSignature))
        #expect(Providers.verify(source, headers: [(name: "signature", value: signature)], body: body) == .rejected(.missingSignature))
        #expect(
            Providers.verify(TestSources.noventiq(), headers: [(name: "X-Signature", value: signature)], body: body) == .rejected(.missingSignature))
    }

    @Test("a repeated signature header is refused even when one copy is right")
    func duplicate() {
        let headers = [(name: "X-Signature", value: signature), (name: "x-signature", value: signature)]
        #expect(Providers.verify(TestSources.nonstopay(), headers: headers, body: body) == .rejected(.duplicateSignature))
    }

    @Test("scheme none is verified by \"none\" with or without a header")
    func none() {
        let source = ProviderSource(name: "open", provider: .nonstopay, kind: "payin", scheme: .none)
        #expect(Providers.verify(source, headers: [], body: body) == .verified(by: "none"))
        #expect(Providers.verify(source, headers: [(name: "X-Signature", value: "junk")], body: body) == .verified(by: "none"))
    }

    @Test("every reject reason has a stable snake_case name and a message")
    func reasons() {
        #expect(
            RejectReason.allCases.map(\.rawValue) == [
                "missing_signature", "duplicate_signature", "malformed_signature", "signature_mismatch", "unverifiable_body",
                "separator_in_signed_field", "no_secret", "unusable_key",
            ])
        for reason in RejectReason.allCases { #expect(!reason.message.isEmpty) }
    }

    @Test("each scheme reads its documented header")
    func headerNames() {
        #expect(ProviderSource.Scheme.sha512Fields.headerName == "signature")
        for scheme in ProviderSource.Scheme.allCases where scheme != .sha512Fields { #expect(scheme.headerName == "x-signature") }
    }
}

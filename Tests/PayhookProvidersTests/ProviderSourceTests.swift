import PayhookProviders
import Testing

@Suite struct ProviderSourceTests {
    @Test("the fixture sources have no configuration problems")
    func fine() {
        #expect(TestSources.nonstopay().configurationProblems() == [])
        #expect(TestSources.noventiq().configurationProblems() == [])
        #expect(TestSources.noventiq(secrets: [], eventSecrets: ["order.created": [[1]]]).configurationProblems() == [])
        #expect(ProviderSource(name: "n", provider: .nonstopay, kind: "nft", scheme: .none).configurationProblems() == [])
    }

    @Test("scheme names match the config's signature values")
    func schemeNames() {
        #expect(
            ProviderSource.Scheme.allCases.map(\.rawValue) == [
                "hmac-sha256-hex", "hmac-sha256-base64", "hmac-sha512-hex", "hmac-sha512-base64", "rsa-sha256", "sha512-fields", "none",
            ])
    }

    @Test("wrong kind, wrong scheme for the provider, missing secret and stray event secrets are reported")
    func problems() {
        let badKind = ProviderSource(name: "x", provider: .noventiq, kind: "payin", scheme: .sha512Fields, secrets: [[1]])
        #expect(badKind.configurationProblems().count == 1)
        let hmacNoventiq = ProviderSource(name: "x", provider: .noventiq, kind: "payment", scheme: .hmacSHA256Hex, secrets: [[1]])
        #expect(hmacNoventiq.configurationProblems() == ["noventiq sources use signature \"sha512-fields\""])
        let fieldsNonstopay = ProviderSource(name: "x", provider: .nonstopay, kind: "payin", scheme: .sha512Fields, secrets: [[1]])
        #expect(fieldsNonstopay.configurationProblems().count == 1)
        let noSecret = TestSources.nonstopay(secrets: [])
        #expect(noSecret.configurationProblems() == ["signature \"hmac-sha256-hex\" needs at least one secret"])
        let stray = ProviderSource(name: "x", provider: .nonstopay, kind: "payin", scheme: .hmacSHA256Hex, secrets: [[1]], eventSecrets: ["e": [[2]]])
        #expect(stray.configurationProblems() == ["event_secrets is only meaningful for noventiq sources"])
    }

    @Test("rsa-sha256 secrets must be PEM RSA public keys; the message names the position, not the content")
    func rsaKeys() {
        let good = Fixtures.bytes("rsa/test-public.pem")
        let source = TestSources.nonstopay(.rsaSHA256, secrets: [good, Fixtures.bytes("rsa/ec-public.pem"), Array("hunter2".utf8)])
        #expect(source.configurationProblems() == ["secret #2 is not a PEM RSA public key", "secret #3 is not a PEM RSA public key"])
    }
}

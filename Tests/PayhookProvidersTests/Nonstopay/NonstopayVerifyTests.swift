import PayhookProviders
import Testing

@Suite struct NonstopayVerifyTests {
    let body = Fixtures.bytes("nonstopay-payin-paid.json")
    let secret = TestSources.nonstopaySecret

    func verify(_ source: ProviderSource, _ signature: String, body: [UInt8]? = nil) -> Verification {
        Providers.verify(source, headers: [(name: "X-Signature", value: signature)], body: body ?? self.body)
    }

    @Test(
        "each HMAC scheme verifies its own encoding of its own digest",
        arguments: [
            (ProviderSource.Scheme.hmacSHA256Hex, Crypto.Hash.sha256, true), (.hmacSHA256Base64, .sha256, false),
            (.hmacSHA512Hex, .sha512, true), (.hmacSHA512Base64, .sha512, false),
        ])
    func schemes(scheme: ProviderSource.Scheme, hash: Crypto.Hash, hex: Bool) {
        let mac = Crypto.hmac(hash, key: secret, message: body)
        let signature = hex ? Encoding.hex(mac) : Encoding.base64(mac)
        #expect(verify(TestSources.nonstopay(scheme), signature) == .verified(by: scheme.rawValue))
        var other = body
        other[5] ^= 0x20
        #expect(verify(TestSources.nonstopay(scheme), signature, body: other) == .rejected(.signatureMismatch))
    }

    @Test("the fixture signature verifies over the raw bytes; re-serialized JSON does not")
    func rawBytes() throws {
        let signature = "62e71bb0a76469de15ccf732f55a7f007c066001cf544eb3e7547d87f07b3db6"
        #expect(verify(TestSources.nonstopay(), signature).isVerified)
        let spaced = Array(String(decoding: body, as: UTF8.self).replacing(",", with: ", ").utf8)
        #expect(verify(TestSources.nonstopay(), signature, body: spaced) == .rejected(.signatureMismatch))
    }

    @Test("with three secrets configured, a signature by any one of them passes; by none fails")
    func rotation() {
        let secrets = [Array("a".utf8), Array("b".utf8), Array("c".utf8)]
        let source = TestSources.nonstopay(secrets: secrets)
        for s in secrets {
            #expect(verify(source, Encoding.hex(Crypto.hmacSHA256(key: s, message: body))).isVerified)
        }
        #expect(verify(source, Encoding.hex(Crypto.hmacSHA256(key: Array("d".utf8), message: body))) == .rejected(.signatureMismatch))
    }

    @Test("a base64 scheme accepts URL-safe and unpadded base64 of the right MAC")
    func base64Forms() {
        let mac = Crypto.hmacSHA256(key: secret, message: body)
        let urlSafe = Encoding.base64(mac).replacing("+", with: "-").replacing("/", with: "_")
        let unpadded = String(Encoding.base64(mac).prefix(while: { $0 != "=" }))
        #expect(verify(TestSources.nonstopay(.hmacSHA256Base64), urlSafe).isVerified)
        #expect(verify(TestSources.nonstopay(.hmacSHA256Base64), unpadded).isVerified)
    }

    @Test(
        "a wrong-length or wrongly encoded signature is malformed, before any secret is used",
        arguments: [
            (ProviderSource.Scheme.hmacSHA256Hex, String(repeating: "a", count: 62)), (.hmacSHA256Hex, String(repeating: "a", count: 66)),
            (.hmacSHA512Hex, String(repeating: "a", count: 64)), (.hmacSHA256Hex, "sha256=" + String(repeating: "a", count: 64)),
            (.hmacSHA256Base64, Encoding.base64([UInt8](repeating: 1, count: 31))), (.hmacSHA512Base64, "@@@@"),
            (.rsaSHA256, "not base64"),
        ])
    func malformed(scheme: ProviderSource.Scheme, signature: String) {
        #expect(verify(TestSources.nonstopay(scheme, secrets: []), signature) == .rejected(.malformedSignature))
    }

    @Test("a well-formed signature with no secret configured is no_secret")
    func noSecret() {
        #expect(verify(TestSources.nonstopay(secrets: []), String(repeating: "0", count: 64)) == .rejected(.noSecret))
        #expect(verify(TestSources.nonstopay(.rsaSHA256, secrets: []), "AAAA") == .rejected(.noSecret))
    }

    @Test("rsa-sha256 tries every key: an unusable key next to the right one still verifies")
    func rsaKeys() {
        let signature = String(decoding: Fixtures.bytes("rsa/nonstopay-payin-paid.sig.b64"), as: UTF8.self)
        let good = Fixtures.bytes("rsa/test-public.pem")
        let other = Fixtures.bytes("rsa/other-public.pem")
        let ec = Fixtures.bytes("rsa/ec-public.pem")
        #expect(verify(TestSources.nonstopay(.rsaSHA256, secrets: [ec, other, good]), signature) == .verified(by: "rsa-sha256"))
        #expect(verify(TestSources.nonstopay(.rsaSHA256, secrets: [ec, other]), signature) == .rejected(.signatureMismatch))
        #expect(verify(TestSources.nonstopay(.rsaSHA256, secrets: [ec, Array("x".utf8)]), signature) == .rejected(.unusableKey))
    }
}

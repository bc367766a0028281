import Testing

@testable import PayhookProviders

@Suite struct RSATests {
    let body = Fixtures.bytes("nonstopay-payin-paid.json")
    let signature = Encoding.decodeBase64(String(decoding: Fixtures.bytes("rsa/nonstopay-payin-paid.sig.b64"), as: UTF8.self))!
    let key = Fixtures.bytes("rsa/test-public.pem")

    @Test("a signature made by openssl with the test key verifies")
    func valid() {
        #expect(Crypto.verifyRSASHA256(publicKeyPEM: key, message: body, signature: signature) == .valid)
    }

    @Test("one changed body byte, one changed signature bit, or a truncated signature is invalid")
    func tampered() {
        var otherBody = body
        otherBody[otherBody.count - 2] ^= 1
        var otherSignature = signature
        otherSignature[10] ^= 0x01
        #expect(Crypto.verifyRSASHA256(publicKeyPEM: key, message: otherBody, signature: signature) == .invalid)
        #expect(Crypto.verifyRSASHA256(publicKeyPEM: key, message: body, signature: otherSignature) == .invalid)
        #expect(Crypto.verifyRSASHA256(publicKeyPEM: key, message: body, signature: Array(signature.dropLast())) == .invalid)
        #expect(Crypto.verifyRSASHA256(publicKeyPEM: key, message: body, signature: []) == .invalid)
    }

    @Test("another RSA key does not verify the signature")
    func otherKey() {
        #expect(Crypto.verifyRSASHA256(publicKeyPEM: Fixtures.bytes("rsa/other-public.pem"), message: body, signature: signature) == .invalid)
    }

    @Test("an EC key, garbage and an empty key are unusable, not invalid")
    func unusable() {
        for pem in [Fixtures.bytes("rsa/ec-public.pem"), Array("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".utf8), []] {
            #expect(Crypto.verifyRSASHA256(publicKeyPEM: pem, message: body, signature: signature) == .unusableKey)
            #expect(!Crypto.isUsableRSAPublicKey(pem))
        }
        #expect(Crypto.isUsableRSAPublicKey(key))
    }
}

@Suite struct PublicKeyCacheTests {
    @Test("a PEM key is parsed once and reused; a key that does not parse is not cached")
    func reuse() {
        let cache = PublicKeyCache()
        let pem = Fixtures.bytes("rsa/test-public.pem")
        let first = cache.key(pem)
        #expect(first != nil)
        #expect(cache.key(pem) === first)
        #expect(cache.key(Array("not a key".utf8)) == nil)
        #expect(cache.count == 1)
    }
}

import PayhookProviders
import Testing

private func hex(_ bytes: [UInt8]) -> String { Encoding.hex(bytes) }
private func utf8(_ s: String) -> [UInt8] { Array(s.utf8) }

@Suite struct DigestTests {
    @Test(
        "SHA-256 matches the NIST FIPS 180-2 example vectors",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ])
    func sha256(message: String, digest: String) {
        #expect(hex(Crypto.sha256(utf8(message))) == digest)
    }

    @Test("SHA-256 of one million 'a' matches NIST")
    func sha256Million() {
        #expect(
            hex(Crypto.sha256([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test(
        "SHA-512 matches the NIST FIPS 180-2 example vectors",
        arguments: [
            ("", "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"),
            (
                "abc",
                "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
            ),
            (
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"
            ),
        ])
    func sha512(message: String, digest: String) {
        #expect(hex(Crypto.sha512(utf8(message))) == digest)
    }

    /// RFC 4231 section 4: test cases 1, 2, 3, 6 and 7 (4 and 5 cover truncation, which we do not use).
    static let rfc4231: [(key: [UInt8], data: [UInt8], sha256: String, sha512: String)] = [
        (
            [UInt8](repeating: 0x0B, count: 20), utf8("Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"
        ),
        (
            utf8("Jefe"), utf8("what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        ),
        (
            [UInt8](repeating: 0xAA, count: 20), [UInt8](repeating: 0xDD, count: 50),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"
        ),
        (
            [UInt8](repeating: 0xAA, count: 131), utf8("Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"
        ),
        (
            [UInt8](repeating: 0xAA, count: 131),
            utf8(
                "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."
            ),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"
        ),
    ]

    @Test("HMAC-SHA256 and HMAC-SHA512 match RFC 4231 test cases 1, 2, 3, 6, 7", arguments: 0..<5)
    func hmac(index: Int) {
        let v = Self.rfc4231[index]
        #expect(hex(Crypto.hmacSHA256(key: v.key, message: v.data)) == v.sha256)
        #expect(hex(Crypto.hmacSHA512(key: v.key, message: v.data)) == v.sha512)
    }

    @Test("HMAC with an empty key and empty message is defined (no null-pointer trouble)")
    func hmacEmpty() {
        #expect(hex(Crypto.hmacSHA256(key: [], message: [])) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test("digest lengths are 32 and 64 bytes")
    func lengths() {
        #expect(Crypto.Hash.sha256.digestBytes == 32 && Crypto.sha256([1]).count == 32)
        #expect(Crypto.Hash.sha512.digestBytes == 64 && Crypto.sha512([1]).count == 64)
    }

    @Test("constant-time comparison: equal, one bit off at either end, different lengths, empty")
    func constantTime() {
        let a: [UInt8] = Array(0..<64)
        var first = a
        first[0] ^= 1
        var last = a
        last[63] ^= 0x80
        #expect(Crypto.constantTimeEquals(a, a))
        #expect(!Crypto.constantTimeEquals(a, first))
        #expect(!Crypto.constantTimeEquals(a, last))
        #expect(!Crypto.constantTimeEquals(a, Array(a.prefix(63))))
        #expect(Crypto.constantTimeEquals([], []))
        #expect(!Crypto.constantTimeEquals([], [0]))
    }
}

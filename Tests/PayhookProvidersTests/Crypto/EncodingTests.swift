import PayhookProviders
import Testing

@Suite struct EncodingTests {
    @Test("hex encodes lowercase and decodes either case")
    func hex() {
        #expect(Encoding.hex([0x00, 0xAB, 0xFF, 0x10]) == "00abff10")
        #expect(Encoding.decodeHex("00abff10") == [0x00, 0xAB, 0xFF, 0x10])
        #expect(Encoding.decodeHex("00ABfF10") == [0x00, 0xAB, 0xFF, 0x10])
        #expect(Encoding.decodeHex("") == [])
    }

    @Test("hex decoding refuses odd lengths and non-hex characters", arguments: ["a", "abc", "zz", "0g", " 00", "00 ", "0x00", "ab-c"])
    func badHex(text: String) {
        #expect(Encoding.decodeHex(text) == nil)
    }

    @Test(
        "base64 matches the RFC 4648 section 10 vectors both ways",
        arguments: [
            ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
        ])
    func base64(plain: String, encoded: String) {
        #expect(Encoding.base64(Array(plain.utf8)) == encoded)
        #expect(Encoding.decodeBase64(encoded) == Array(plain.utf8))
    }

    @Test("base64 decoding accepts the URL-safe alphabet and missing padding")
    func base64Lenient() {
        let bytes: [UInt8] = [0xFB, 0xFF, 0xBF]
        #expect(Encoding.base64(bytes) == "+/+/")
        #expect(Encoding.decodeBase64("-_-_") == bytes)
        #expect(Encoding.decodeBase64("Zm8") == Array("fo".utf8))
        #expect(Encoding.decodeBase64("Zg") == Array("f".utf8))
    }

    @Test(
        "base64 decoding refuses junk, whitespace, misplaced padding and impossible lengths",
        arguments: [
            "Zm9v YmFy", "Zm9v\n", "Z", "Zm9vY", "Zg=", "=Zm9", "Zm=v", "Zg===", "Zm9v!", "Zm9vYg==Zg==",
        ])
    func badBase64(text: String) {
        #expect(Encoding.decodeBase64(text) == nil)
    }

    @Test("every byte value survives base64 and hex round trips")
    func roundTrips() {
        let all: [UInt8] = (0...255).map { UInt8($0) }
        for n in 0...4 {
            let slice = Array(all.dropFirst(n))
            #expect(Encoding.decodeBase64(Encoding.base64(slice)) == slice)
            #expect(Encoding.decodeHex(Encoding.hex(slice)) == slice)
        }
    }
}

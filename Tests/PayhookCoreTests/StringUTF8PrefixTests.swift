import PayhookCore
import Testing

@Suite struct StringUTF8PrefixTests {
    @Test("prefix(utf8Bytes:) keeps N bytes when they fit, cuts N+1, never splits a scalar")
    func prefix() {
        #expect("abcdefgh".prefix(utf8Bytes: 8) == "abcdefgh")
        #expect("abcdefghi".prefix(utf8Bytes: 8) == "abcdefgh")
        #expect("aaaaaaaé".prefix(utf8Bytes: 8) == "aaaaaaa")  // é is 2 bytes: it would end at byte 9
        #expect("€".prefix(utf8Bytes: 2) == "")
        #expect("".prefix(utf8Bytes: 0) == "")
    }
}

import Testing

@testable import PayhookDaemon

@Suite struct ClientAddressTests {
    let trusted = ["127.0.0.1", "10.0.0.0/8"].compactMap { IPBlock(parsing: $0) }

    @Test("an untrusted peer is the client, whatever headers it sends")
    func untrustedPeer() {
        let headers = [(name: "X-Real-IP", value: "203.0.113.9"), (name: "X-Forwarded-For", value: "203.0.113.9")]
        #expect(ClientAddress.resolve(peer: "198.51.100.7", headers: headers, trusted: trusted) == "198.51.100.7")
    }

    @Test("behind a trusted proxy X-Real-IP wins; an invalid X-Real-IP is ignored")
    func realIP() {
        #expect(ClientAddress.resolve(peer: "127.0.0.1", headers: [("x-real-ip", " 203.0.113.9 ")], trusted: trusted) == "203.0.113.9")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", headers: [("X-Real-IP", "evil")], trusted: trusted) == "127.0.0.1")
    }

    @Test("X-Forwarded-For is read from the right: trusted hops skipped, entries left of the first untrusted ignored")
    func forwardedFor() {
        let xff = [(name: "X-Forwarded-For", value: "203.0.113.1, 198.51.100.2, 10.1.2.3")]
        #expect(ClientAddress.resolve(peer: "127.0.0.1", headers: xff, trusted: trusted) == "198.51.100.2")
        let garbage = [(name: "X-Forwarded-For", value: "203.0.113.1, nonsense")]
        #expect(ClientAddress.resolve(peer: "127.0.0.1", headers: garbage, trusted: trusted) == "127.0.0.1")
    }

    @Test("X-Forwarded-For on several lines is combined in order, then read from the right")
    func forwardedForLines() {
        // The client's own line first, the proxy's appended line last: the proxy's entry decides.
        let lines = [(name: "X-Forwarded-For", value: "198.51.100.66"), (name: "x-forwarded-for", value: "203.0.113.9, 10.0.0.1")]
        #expect(ClientAddress.resolve(peer: "127.0.0.1", headers: lines, trusted: trusted) == "203.0.113.9")
        let trustedHops = [(name: "X-Forwarded-For", value: "198.51.100.2"), (name: "X-Forwarded-For", value: "10.0.0.1")]
        #expect(ClientAddress.resolve(peer: "127.0.0.1", headers: trustedHops, trusted: trusted) == "198.51.100.2")
        #expect(ClientAddress.combined("x-forwarded-for", lines) == "198.51.100.66, 203.0.113.9, 10.0.0.1")
        #expect(ClientAddress.combined("x-real-ip", lines) == nil)
    }

    @Test("X-Real-IP sent twice is ambiguous: not believed, X-Forwarded-For then the peer decide")
    func realIPTwice() {
        let twice = [(name: "X-Real-IP", value: "203.0.113.9"), (name: "X-Real-IP", value: "198.51.100.1")]
        #expect(ClientAddress.resolve(peer: "127.0.0.1", headers: twice, trusted: trusted) == "127.0.0.1")
        let same = [(name: "X-Real-IP", value: "203.0.113.9"), (name: "X-Real-IP", value: "203.0.113.9")]
        #expect(ClientAddress.resolve(peer: "127.0.0.1", headers: same, trusted: trusted) == "127.0.0.1")
        let withForwarded = twice + [(name: "X-Forwarded-For", value: "198.51.100.7")]
        #expect(ClientAddress.resolve(peer: "127.0.0.1", headers: withForwarded, trusted: trusted) == "198.51.100.7")
    }

    @Test("a unix-socket peer counts as a trusted proxy")
    func unixPeer() {
        #expect(ClientAddress.resolve(peer: "unix", headers: [("X-Real-IP", "203.0.113.9")], trusted: []) == "203.0.113.9")
    }

    @Test("allow_from: empty allows all; otherwise the address must be in a block (IPv4-mapped IPv6 too)")
    func allowed() {
        let blocks = ["203.0.113.0/24"].compactMap { IPBlock(parsing: $0) }
        #expect(ClientAddress.allowed("198.51.100.1", by: []))
        #expect(ClientAddress.allowed("203.0.113.255", by: blocks))
        #expect(!ClientAddress.allowed("203.0.114.0", by: blocks))
        #expect(ClientAddress.allowed("::ffff:203.0.113.5", by: blocks))
        #expect(!ClientAddress.allowed("unix", by: blocks))
    }
}

@Suite struct IngestRequestHelpersTests {
    @Test(
        "Content-Type: application/json with parameters and any case passes; others do not",
        arguments: [
            ("application/json", true), ("Application/JSON; charset=utf-8", true), (" application/json ;x=y", true),
            ("application/json-patch+json", false), ("text/plain", false), ("", false),
        ])
    func json(value: String, expected: Bool) {
        #expect(IngestRoute.isJSON(value) == expected)
    }

    @Test("a missing Content-Type is not JSON")
    func missing() { #expect(!IngestRoute.isJSON(nil)) }

    @Test("path segments are percent-decoded; a bad escape or invalid UTF-8 is refused")
    func percent() {
        #expect(PercentDecoding.decode("fund%3A19") == "fund:19")
        #expect(PercentDecoding.decode("caf%C3%A9") == "café")
        #expect(PercentDecoding.decode("plain") == "plain")
        #expect(PercentDecoding.decode("%4") == nil)
        #expect(PercentDecoding.decode("%zz") == nil)
        #expect(PercentDecoding.decode("%FF") == nil)
    }
}

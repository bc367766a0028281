import Testing

@testable import PayhookDaemon

/// Address, CIDR, hook URL and duration syntax used by the config.
@Suite struct ConfigAddressTests {
    @Test("IPv4 and IPv6 addresses and blocks parse and print in canonical form")
    func blocksParse() {
        let cases: [(String, String)] = [
            ("127.0.0.1", "127.0.0.1"), ("10.0.0.0/8", "10.0.0.0/8"), ("0.0.0.0/0", "0.0.0.0/0"),
            ("::1", "::1"), ("::", "::"), ("2001:DB8::/32", "2001:db8::/32"), ("fe80::1:0:0:1", "fe80::1:0:0:1"),
            ("1:0:0:2:0:0:0:3", "1:0:0:2::3"), ("::ffff:192.0.2.1", "::ffff:c000:201"), ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
        ]
        for (text, canonical) in cases {
            #expect(IPBlock(parsing: text)?.description == canonical, "\(text)")
        }
    }

    @Test("malformed addresses and blocks are refused, including set host bits")
    func blocksRefused() {
        for text in [
            "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4/33", "1.2.3.4/-1", "1.2.3.4/+8",
            "10.0.0.1/8", "::g", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "::/129", "2001:db8::1/32",
            "1.2.3.4/", "a.b.c.d", " 1.2.3.4",
        ] {
            #expect(IPBlock(parsing: text) == nil, "\(text)")
        }
    }

    @Test("blocks contain the addresses under their prefix; IPv4-mapped IPv6 matches IPv4 blocks")
    func contains() throws {
        let v4 = try #require(IPBlock(parsing: "203.0.113.0/24"))
        #expect(v4.contains([203, 0, 113, 77]))
        #expect(!v4.contains([203, 0, 114, 1]))
        #expect(v4.contains(try #require(IPBlock.parseAddress("::ffff:203.0.113.9"))))
        let v6 = try #require(IPBlock(parsing: "2001:db8::/32"))
        #expect(v6.contains(try #require(IPBlock.parseAddress("2001:db8:ffff::1"))))
        #expect(!v6.contains(try #require(IPBlock.parseAddress("2001:db9::1"))))
        #expect(!v6.contains([203, 0, 113, 77]))
        #expect(try #require(IPBlock(parsing: "0.0.0.0/0")).contains([1, 2, 3, 4]))
    }

    @Test("listen addresses: forms accepted, locality reported")
    func listen() throws {
        let cases: [(String, Bool)] = [
            ("127.0.0.1:8480", true), ("127.9.9.9:0", true), ("localhost:1", true), ("[::1]:65535", true),
            ("unix:/run/payhookd.sock", true), ("0.0.0.0:80", false), ("192.0.2.1:8481", false), ("[::]:8481", false),
        ]
        for (text, local) in cases {
            #expect(try ConfigAddresses.listen(text).get() == local, "\(text)")
        }
    }

    @Test("listen addresses: malformed forms are refused with a reason")
    func listenRefused() {
        let long = "unix:/" + String(repeating: "a", count: 107)
        for text in [
            "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:8a", "example.com:80",
            "[::1:80", "[::1]80", "[zz]:80", "::1:80", "unix:relative", long, "",
        ] {
            guard case .failure = ConfigAddresses.listen(text) else {
                Issue.record("accepted \(text)")
                continue
            }
        }
        #expect(throws: Never.self) { try ConfigAddresses.listen("unix:/" + String(repeating: "a", count: 106)).get() }
    }

    @Test("hook URLs: only loopback http and unix sockets, with a path")
    func hookURLs() {
        for good in ["http://127.0.0.1:9000/x", "http://localhost/", "http://[::1]:1/a", "unix:/run/a.sock:/p"] {
            #expect(throws: Never.self) { try ConfigAddresses.hookURL(good).get() }
        }
        for bad in [
            "https://127.0.0.1/x", "http://10.0.0.1/x", "http://example.com/x", "http://127.0.0.1",
            "http://127.0.0.1:99999/x", "http://[::2]/x", "unix:/run/a.sock", "unix:rel.sock:/p", "ftp://127.0.0.1/",
            "http://[::1/x",
        ] {
            guard case .failure = ConfigAddresses.hookURL(bad) else {
                Issue.record("accepted \(bad)")
                continue
            }
        }
    }

    @Test("durations: single and compound units in milliseconds; junk and overflow refused")
    func durations() {
        #expect(ConfigDuration.milliseconds("72h") == 259_200_000)
        #expect(ConfigDuration.milliseconds("30m") == 1_800_000)
        #expect(ConfigDuration.milliseconds("10s") == 10_000)
        #expect(ConfigDuration.milliseconds("500ms") == 500)
        #expect(ConfigDuration.milliseconds("1d") == 86_400_000)
        #expect(ConfigDuration.milliseconds("1h30m10s") == 5_410_000)
        for bad in ["", "10", "h", "1x", "1.5h", "-1h", "1 h", "999999999999999d", "1h 2m"] {
            #expect(ConfigDuration.milliseconds(bad) == nil, "\(bad)")
        }
    }

    @Test("did-you-mean picks the nearest known key only when it is close")
    func suggestions() {
        #expect(Suggestion.closest(to: "max_conections", among: Settings.server.keys) == "max_connections")
        #expect(Suggestion.closest(to: "secretfile", among: Settings.sources.keys) == "secret_file")
        #expect(Suggestion.closest(to: "colour", among: Settings.sources.keys) == nil)
        #expect(Suggestion.distance(Array("kitten".utf8), Array("sitting".utf8)) == 3)
    }
}

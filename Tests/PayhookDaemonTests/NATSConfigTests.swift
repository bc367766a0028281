import Testing

@testable import PayhookDaemon

/// `[[hooks]]` NATS keys: decoding, bounds, and the refusals that name the line.
@Suite struct NATSConfigTests {
    typealias S = ConfigTestSupport

    func hook(_ extra: String, target: String = "nats_url = \"nats://127.0.0.1:4222\"") -> String {
        S.nonstopaySource + "\n[[hooks]]\nname = \"h\"\n" + target + "\n" + extra
    }

    @Test("nats_url as a string or a list; defaults for subject, stream, create and duplicate_window")
    func urlsAndDefaults() throws {
        let one = try S.load(hook("")).get().hooks[0]
        #expect(one.target == .nats(["nats://127.0.0.1:4222"]))
        #expect(one.nats.subject == "payhook.{source}.{kind}.{status}")
        #expect(one.nats.stream == "PAYHOOK")
        #expect(one.nats.create)
        #expect(one.nats.duplicateWindowMs == 86_400_000)
        #expect(one.nats.providers["pay"] == "nonstopay")
        let list = try S.load(hook("", target: "nats_url = [\"nats://a:4222\", \"tls://b:4222\"]")).get().hooks[0]
        #expect(list.target == .nats(["nats://a:4222", "tls://b:4222"]))
    }

    @Test("duplicate_window: 1s and 30d load; 999ms and 30d+1ms are out of range")
    func duplicateWindow() throws {
        #expect(try S.load(hook("duplicate_window = \"1s\"")).get().hooks[0].nats.duplicateWindowMs == 1000)
        #expect(try S.load(hook("duplicate_window = \"30d\"")).get().hooks[0].nats.duplicateWindowMs == 2_592_000_000)
        #expect(S.loadError(hook("duplicate_window = \"999ms\"")) == "F:10: duplicate_window `999ms` is out of range (1s...30d)")
        #expect(
            S.loadError(hook("duplicate_window = \"2592000001ms\"")) == "F:10: duplicate_window `2592000001ms` is out of range (1s...30d)")
    }

    @Test("refusals: NATS keys on another hook, a bad subject or stream, a bad url, half a TLS pair")
    func refusals() {
        #expect(S.loadError(hook("subject = \"x\"", target: "command = [\"/bin/true\"]")) == "F:10: hook `h`: `subject` needs `nats_url`")
        #expect(S.loadError(hook("subject = \"pay.{payment_id}\"")) != nil)
        #expect(S.loadError(hook("subject = \"pay.>\"")) != nil)
        #expect(S.loadError(hook("stream = \"a.b\"")) != nil)
        #expect(S.loadError(hook("status_bucket = \"a.b\"")) != nil)
        #expect(S.loadError(hook("", target: "nats_url = \"http://x\"")) == "F:9: hook `h`: nats_url `http://x` must start with nats:// or tls://")
        #expect(S.loadError(hook("nats_tls_cert_file = \"/etc/hostname\"")) != nil)
        #expect(S.loadError(hook("nats_creds_file = \"/nonexistent/x.creds\"")) != nil)
        #expect(S.loadError(hook("nats_password = \"a\"\nnats_password_file = \"b\"")) != nil)
    }
}

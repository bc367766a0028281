import Glibc
import PayhookHooks
import Testing

@Suite struct HookSigningTests {
    static let body = Array(#"{"id":"shop:p1:paid","seq":42,"status":"succeeded","note":"caf\u00e9"}"#.utf8)

    /// Computed once with Python (the command above `payhookKnownAnswer`), pasted here so the
    /// check holds where python3 is missing.
    static let knownHex = "58a639bb9c19ef2b0d9142b238d51917152f9e1a17869af8140192f60fbefd82"

    static let verifyStandard = """
        import sys
        try:
            from standardwebhooks.webhooks import Webhook
        except ImportError:
            print("standardwebhooks is not installed: run ./scripts/ensure-pip standardwebhooks (make test does)")
            sys.exit(3)
        secret, msg_id, ts, sig, body = sys.argv[1:6]
        wh = Webhook(secret) if secret.startswith("whsec_") else Webhook(secret.encode())
        wh.verify(body.encode(), {"webhook-id": msg_id, "webhook-timestamp": ts, "webhook-signature": sig}, json_parse=False)
        print("verified")
        """

    @Test(
        "webhook-signature verifies with the official standardwebhooks package, plain and whsec_ secrets",
        .enabled(if: Python.available, "python3 is missing: cannot run the independent check"),
        arguments: ["plain secret with é", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])
    func standardWebhooks(secret: String) throws {
        let key = try #require(HookSigningKey(secret: secret))
        let now = Int64(time(nil))
        let headers = HookSigning.headers(key: key, eventID: "shop:p1:paid", timestampS: now, body: Self.body)
        let sig = try #require(headers.first { $0.name == "webhook-signature" }?.value)
        let run = Python.run(Self.verifyStandard, [secret, "shop:p1:paid", String(now), sig, String(decoding: Self.body, as: UTF8.self)])
        #expect(run.status == 0 && run.output == "verified\n", "\(run.output)")
        let forged = Python.run(Self.verifyStandard, [secret, "shop:p1:paid", String(now), sig, "{}"])
        #expect(forged.status != 0, "a changed body must not verify")
    }

    @Test("Payhook-Signature matches an HMAC-SHA256 computed by Python's hmac module")
    func payhookKnownAnswer() throws {
        let key = try #require(HookSigningKey(secret: "s3cr3t"))
        let value = HookSigning.payhookSignature(key: key, timestampS: 1_795_341_600, body: Self.body)
        // python3 -c 'import hmac,hashlib;print(hmac.new(b"s3cr3t",b"1795341600."+BODY,hashlib.sha256).hexdigest())'
        let script = "import hmac,hashlib,sys;print(hmac.new(sys.argv[1].encode(),(sys.argv[2]+'.'+sys.argv[3]).encode(),hashlib.sha256).hexdigest())"
        if Python.available {
            let run = Python.run(script, ["s3cr3t", "1795341600", String(decoding: Self.body, as: UTF8.self)])
            #expect(value == "t=1795341600,v1=" + run.output.dropLast())
        }
        #expect(value == "t=1795341600,v1=\(Self.knownHex)")
    }

    @Test("the key: a secret's UTF-8 bytes, or the base64-decoded rest of whsec_; empty or bad base64 is refused")
    func keys() {
        #expect(HookSigningKey(secret: "abc")?.bytes == Array("abc".utf8))
        #expect(HookSigningKey(secret: "whsec_AAEC")?.bytes == [0, 1, 2])
        #expect(HookSigningKey(secret: "whsec_AAE")?.bytes == [0, 1], "unpadded, as the Python package allows")
        #expect(HookSigningKey(secret: "") == nil)
        #expect(HookSigningKey(secret: "whsec_") == nil)
        #expect(HookSigningKey(secret: "whsec_!!!!") == nil)
    }
}

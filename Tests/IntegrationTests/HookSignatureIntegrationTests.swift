import Glibc
import PayhookProviders
import Testing

/// Both signatures of a hook request, checked on what the receiver got from the real binary.
struct HookSignatureIntegrationTests {
    @Test("Payhook-Signature verifies by the documented formula; the Standard Webhooks headers with the standardwebhooks package")
    func bothSignaturesVerify() throws {
        let r = try HookReceiver()
        defer { r.stop() }
        let secret = "whsec_" + Encoding.base64(Array("hook-signing-key".utf8))
        let d = try DaemonProcess(
            server: ephemeralServer(),
            extraConfig: """
                [[hooks]]
                name = "signed"
                url = "http://127.0.0.1:\(r.port)/events"
                start = "beginning"
                signing_secret = "\(secret)"
                """, sources: fixtureSources)
        defer { d.signal(SIGKILL) }
        let c = try RawClient(d.ingest)
        try c.send(nonstopayRequest("nonstopay-payin", body: #"{"status":"invoice:paid","id":"s1"}"#))
        #expect(c.readAnswer()?.status == 200)
        #expect(r.wait { !$0.isEmpty })
        let x = try #require(r.received.first)
        let signature = try #require(x.header("Payhook-Signature"))
        let t = String(signature.split(separator: ",")[0].dropFirst(2))
        let mac = Crypto.hmacSHA256(key: Array("hook-signing-key".utf8), message: Array("\(t).".utf8) + Array(x.body.utf8))
        #expect(signature == "t=\(t),v1=\(Encoding.hex(mac))")
        // The official library (PyPI standardwebhooks, installed by `make test`), with the
        // python3 the tests run with (PATH as given).
        try DaemonProcess.writeFile(d.dir + "/body", x.body)
        let script = """
            import sys
            from standardwebhooks.webhooks import Webhook
            body = open(sys.argv[1], 'rb').read()
            Webhook(sys.argv[2]).verify(body, {"webhook-id": sys.argv[3], "webhook-timestamp": sys.argv[4], "webhook-signature": sys.argv[5]})
            print("verified")
            """
        try DaemonProcess.writeFile(d.dir + "/verify.py", script)
        let out = try runCLIProgram(
            [
                "/usr/bin/env", "python3", d.dir + "/verify.py", d.dir + "/body", secret, x.header("webhook-id") ?? "",
                x.header("webhook-timestamp") ?? "",
                x.header("webhook-signature") ?? "",
            ], dir: d.dir)
        #expect(out.contains("verified"))
    }

    func runCLIProgram(_ argv: [String], dir: String) throws -> String {
        let pid = try DaemonProcess.spawn(
            argv, env: ["PATH": String(cString: getenv("PATH"))], stderrPath: dir + "/py.err", stdoutPath: dir + "/py.out")
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (try? DaemonProcess.readFile(dir + "/py.out")) ?? ""
    }
}

import Glibc
import Testing

/// SIGHUP through the real binary: what applies, what is named as needing a restart, what is
/// refused, and that the file and its secrets are read off the loop.
@Suite(.serialized) struct ReloadIntegrationTests {
    /// One Nonstopay source `pay` whose secret is the file `k.key` next to the config.
    static func sources(allowFrom: Bool = false) -> String {
        """
        [[sources]]
        name = "pay"
        provider = "nonstopay"
        kind = "payin"
        signature = "hmac-sha256-hex"
        secret_file = "k.key"
        \(allowFrom ? #"allow_from = ["203.0.113.0/24"]"# : "")
        """
    }

    static func start(server: String = "", secret: String = "nonstopay-test-secret", allowFrom: Bool = false) throws -> DaemonProcess {
        let dir = DaemonProcess.makeTempDir()
        try DaemonProcess.writeFile(dir + "/k.key", secret + "\n")
        return try DaemonProcess(server: ephemeralServer(server), sources: sources(allowFrom: allowFrom), dir: dir)
    }

    /// Sends SIGHUP and waits for the reload's outcome line (the n-th one of the process).
    static func reload(_ d: DaemonProcess, expecting line: String, count n: Int = 1) -> Bool {
        d.signal(SIGHUP)
        return waitFor(d, line, count: n)
    }

    /// Polls stderr until `text` occurs `n` times; generous for a loaded 2-core machine.
    static func waitFor(_ d: DaemonProcess, _ text: String, count n: Int = 1, timeoutMs: Int = 20_000) -> Bool {
        for _ in 0..<(timeoutMs / 20) {
            if d.stderr.components(text).count - 1 >= n { return true }
            usleep(20_000)
        }
        return false
    }

    static func post(_ d: DaemonProcess, _ id: String, headers: String = "") throws -> Int? {
        let c = try RawClient(d.ingest)
        try c.send(nonstopayRequest("pay", body: #"{"status":"invoice:paid","id":"\#(id)"}"#, extraHeaders: headers))
        return c.readAnswer()?.status
    }

    @Test("a changed source secret applies on SIGHUP")
    func secretApplies() throws {
        let d = try Self.start(secret: "an-older-secret")
        #expect(try Self.post(d, "a") == 401)
        try DaemonProcess.writeFile(d.dir + "/k.key", "nonstopay-test-secret\n")
        #expect(Self.reload(d, expecting: "configuration reloaded"))
        #expect(try Self.post(d, "b") == 200)
        #expect(!d.stderr.contains("applies after a restart"))
    }

    @Test("a changed trusted_proxies applies on SIGHUP, without a restart warning")
    func trustedProxiesApply() throws {
        let d = try Self.start(server: #"trusted_proxies = ["10.0.0.1"]"#, allowFrom: true)
        let forwarded = "X-Real-IP: 203.0.113.9\r\n"
        // The peer (127.0.0.1) is not trusted: it is the client, outside allow_from.
        #expect(try Self.post(d, "a", headers: forwarded) == 403)
        let config = try DaemonProcess.readFile(d.dir + "/payhookd.toml")
        try DaemonProcess.writeFile(d.dir + "/payhookd.toml", config.replacingOccurrences("10.0.0.1", "127.0.0.1"))
        #expect(Self.reload(d, expecting: "configuration reloaded"))
        #expect(try Self.post(d, "b", headers: forwarded) == 200)
        #expect(!d.stderr.contains("trusted_proxies changed"))
    }

    @Test("a changed [storage] segment_bytes is named as needing a restart; the rest still applies")
    func restartKeyNamed() throws {
        let d = try Self.start(secret: "an-older-secret")
        let config = try DaemonProcess.readFile(d.dir + "/payhookd.toml")
        try DaemonProcess.writeFile(
            d.dir + "/payhookd.toml", config.replacingOccurrences("[storage]\n", "[storage]\nsegment_bytes = 2097152\n"))
        try DaemonProcess.writeFile(d.dir + "/k.key", "nonstopay-test-secret\n")
        #expect(Self.reload(d, expecting: "configuration reloaded"))
        #expect(d.stderr.contains("<4>payhookd: reload: [storage] segment_bytes changed: applies after a restart"))
        #expect(try Self.post(d, "a") == 200)
    }

    @Test("a file that does not load is refused with file:line; the old configuration keeps serving")
    func badFileRefused() throws {
        let d = try Self.start()
        let path = d.dir + "/payhookd.toml"
        let config = try DaemonProcess.readFile(path)
        try DaemonProcess.writeFile(path, config.replacingOccurrences("[storage]\n", "[storage]\nsegment_bytes = 1\n"))
        try DaemonProcess.writeFile(d.dir + "/k.key", "a-newer-secret\n")
        #expect(Self.reload(d, expecting: "reload refused"))
        #expect(d.stderr.contains("reload refused, keeping the running configuration: \(path):"))
        #expect(d.stderr.contains("`segment_bytes` = 1 is out of range"))
        // The running secret stays: the new secret file was not taken in with a refused file.
        #expect(try Self.post(d, "a") == 200)
    }

    @Test("a changed admin token applies on SIGHUP: the old one is refused, the new one accepted; removing it opens loopback admin")
    func adminTokenApplies() throws {
        let old = "first-admin-token-0123456789"
        let new = "second-admin-token-0123456789"
        let d = try Self.start(server: "admin_token = \"\(old)\"")
        func status(_ token: String?) throws -> Int? {
            let c = try RawClient(d.admin)
            try c.send("GET /v1/events?after=0 HTTP/1.1\r\nHost: t\r\n" + (token.map { "Authorization: Bearer \($0)\r\n" } ?? "") + "\r\n")
            return c.readAnswer()?.status
        }
        #expect(try status(old) == 200)
        #expect(try status(nil) == 401)
        let path = d.dir + "/payhookd.toml"
        let config = try DaemonProcess.readFile(path)
        try DaemonProcess.writeFile(path, config.replacingOccurrences(old, new))
        #expect(Self.reload(d, expecting: "configuration reloaded"))
        #expect(try status(old) == 401)
        #expect(try status(new) == 200)
        try DaemonProcess.writeFile(path, config.replacingOccurrences("admin_token = \"\(old)\"", ""))
        #expect(Self.reload(d, expecting: "configuration reloaded", count: 2))
        #expect(try status(nil) == 200)
    }

    @Test("the loop keeps answering while a reload waits on a slow secret file (a FIFO nobody writes yet)")
    func readOffTheLoop() throws {
        let d = try Self.start(secret: "an-older-secret")
        let key = d.dir + "/k.key"
        unlink(key)
        #expect(mkfifo(key, 0o600) == 0)
        d.signal(SIGHUP)
        // The reload is now blocked opening the FIFO. On the loop this would stall every request.
        usleep(300_000)
        for _ in 0..<5 {
            let c = try RawClient(d.ingest)
            c.setReceiveTimeout(ms: 5000)
            try c.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(c.readAnswer()?.status == 200)
            usleep(50_000)
        }
        #expect(!d.stderr.contains("configuration reloaded"))
        // Now the secret arrives; the reload completes and applies it.
        let fd = open(key, O_WRONLY | O_CLOEXEC)
        #expect(fd >= 0)
        let secret = Array("nonstopay-test-secret\n".utf8)
        #expect(secret.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == secret.count)
        close(fd)
        #expect(Self.waitFor(d, "configuration reloaded"))
        #expect(try Self.post(d, "a") == 200)
    }

    @Test("SIGTERM while a reload waits on a slow secret file: the daemon still drains and exits 0")
    func stopDuringReload() throws {
        let d = try Self.start()
        let key = d.dir + "/k.key"
        unlink(key)
        #expect(mkfifo(key, 0o600) == 0)
        d.signal(SIGHUP)
        usleep(200_000)
        d.signal(SIGTERM)
        #expect(d.waitExit(timeoutMs: 20_000) == 0)
        #expect(!d.stderr.contains("configuration reloaded"))
    }
}

extension String {
    fileprivate func components(_ separator: String) -> [Substring] {
        var out: [Substring] = []
        var rest = Substring(self)
        while let r = rest.firstRange(of: separator) {
            out.append(rest[..<r.lowerBound])
            rest = rest[r.upperBound...]
        }
        return out + [rest]
    }
}

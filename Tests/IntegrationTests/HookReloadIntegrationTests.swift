import Glibc
import PayhookCore
import Testing

/// SIGHUP changes to [[hooks]] through the real binary, applied live with cursors kept, and
/// `payhookd hooks forget`.
@Suite(.serialized)
struct HookReloadIntegrationTests {
    let base = HookDeliveryIntegrationTests()
    let ops = HookOperatorIntegrationTests()
    static let perPayment = HookDeliveryIntegrationTests.statuses.count

    func hooks(orders: UInt16, audit: UInt16?) -> String {
        var text = base.hookConfig("http://127.0.0.1:\(orders)/events")
        if let audit { text += "\n[[hooks]]\nname = \"audit\"\nurl = \"http://127.0.0.1:\(audit)/audit\"\n" }
        return text
    }

    /// Rewrites the config's [[hooks]] (everything after the first `[[hooks]]`), sends SIGHUP
    /// and waits for the n-th "configuration reloaded".
    func reload(_ d: DaemonProcess, _ hooksText: String, count n: Int) throws -> Bool {
        let path = d.dir + "/payhookd.toml"
        let config = try DaemonProcess.readFile(path)
        let head = config.firstRange(of: "[[hooks]]").map { String(config[..<$0.lowerBound]) } ?? config
        try DaemonProcess.writeFile(path, head + hooksText)
        return ReloadIntegrationTests.reload(d, expecting: "configuration reloaded", count: n)
    }

    func payments(_ r: HookReceiver) -> [String] {
        r.delivered.map { ($0.header("Payhook-Event-Id") ?? "").split(separator: ":").dropFirst().first.map(String.init) ?? "" }
    }

    @Test("SIGHUP adds, changes and removes hooks live; a changed hook keeps its cursor; forget deletes a removed hook's files")
    func addChangeRemoveForget() throws {
        let a1 = try HookReceiver()
        let a2 = try HookReceiver()
        let b = try HookReceiver()
        defer { [a1, a2, b].forEach { $0.stop() } }
        let d = try DaemonProcess(server: ephemeralServer(), extraConfig: hooks(orders: a1.port, audit: nil), sources: fixtureSources)
        defer { d.signal(SIGKILL) }
        try base.post(d, payments: ["p1"])
        #expect(a1.wait { $0.count >= Self.perPayment })

        // orders moves to a2 (a changed url); audit is added (starts at the end of the log).
        #expect(try reload(d, hooks(orders: a2.port, audit: b.port), count: 1))
        #expect(ReloadIntegrationTests.waitFor(d, "reload: hook audit (added"))
        #expect(ReloadIntegrationTests.waitFor(d, "reload: hook orders (changed: url"))
        #expect(!d.stderr.contains("applies after a restart"))
        try base.post(d, payments: ["p2"])
        #expect(a2.wait { $0.count >= Self.perPayment })
        #expect(b.wait { $0.count >= Self.perPayment })
        #expect(payments(a2) == Array(repeating: "p2", count: Self.perPayment), "the cursor was kept: nothing of p1 again")
        #expect(payments(b) == Array(repeating: "p2", count: Self.perPayment), "a new hook starts at the end of the log")
        #expect(a1.received.count == Self.perPayment)

        // audit is removed: it stops, its cursor stays until forgotten.
        #expect(try reload(d, hooks(orders: a2.port, audit: nil), count: 2))
        #expect(ReloadIntegrationTests.waitFor(d, "reload: hook audit (removed"))
        try base.post(d, payments: ["p3"])
        #expect(a2.wait { $0.count >= 2 * Self.perPayment })
        usleep(200_000)
        #expect(b.received.count == Self.perPayment)
        let listed = try ops.admin(d, "GET", "/v1/hooks").body?["hooks"]?.arrayElements?.compactMap { $0["name"]?.stringValue }
        #expect(listed == ["orders"])
        #expect(access(d.dir + "/var/hooks/audit.cursor", F_OK) == 0)

        let refused = try ops.cli(d, ["forget", "orders"])
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("is configured") || refused.stderr.contains("is configured"), "\(refused)")
        #expect(access(d.dir + "/var/hooks/orders.cursor", F_OK) == 0)
        let forgotten = try ops.cli(d, ["forget", "audit"])
        #expect(forgotten.status == 0, "\(forgotten)")
        #expect(forgotten.stdout == "hook audit: deleted audit.cursor\n")
        #expect(access(d.dir + "/var/hooks/audit.cursor", F_OK) != 0)
        #expect(try ops.cli(d, ["forget", "audit"]).status == 1, "nothing left to forget")
    }
}

/// `[storage] hook_parked_max_bytes` through the real binary: a parked file of exactly the bound
/// is read (the daemon starts), one byte more is refused unread (start-up stops, naming it).
@Suite(.serialized)
struct HookParkedBoundIntegrationTests {
    static let bound = 1_048_576

    /// A parked file of `size` bytes: the version-2 header, then one frame whose length runs past
    /// the end (a torn last append, ignored), padded with zeros.
    func startWithParkedFile(size: Int) throws -> DaemonProcess {
        let dir = DaemonProcess.makeTempDir()
        mkdir(dir + "/var", 0o750)
        mkdir(dir + "/var/hooks", 0o750)
        var bytes = Array("PAYHKPRK".utf8) + [2, 0, 0, 0] + [1, 0xFF, 0xFF, 0xFF, 0x7F]
        bytes += [UInt8](repeating: 0, count: size - bytes.count)
        let f = fopen(dir + "/var/hooks/orders.parked", "wb")!
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
        fclose(f)
        let config = HookDeliveryIntegrationTests().hookConfig("http://127.0.0.1:9/events")
        return try DaemonProcess(
            server: ephemeralServer(), sources: "hook_parked_max_bytes = \(Self.bound)\n" + fixtureSources + "\n" + config,
            awaitReady: false, dir: dir)
    }

    @Test func atTheBoundTheDaemonStarts() throws {
        let d = try startWithParkedFile(size: Self.bound)
        defer { d.signal(SIGKILL) }
        try d.waitReady()
        #expect(d.poll() == nil)
    }

    @Test func oneByteOverStartUpStopsNamingTheFile() throws {
        let d = try startWithParkedFile(size: Self.bound + 1)
        defer { d.signal(SIGKILL) }
        #expect(d.waitExit() == 1)
        #expect(d.stderr.contains("orders.parked"), "\(d.stderr)")
        #expect(d.stderr.contains("\(Self.bound)"), "\(d.stderr)")
    }
}

import Glibc
import Testing

/// A datagram socket bound to a fresh path: the test's `NOTIFY_SOCKET`.
final class NotifySocket {
    let fd: Int32
    let path: String
    init(dir: String) throws {
        path = dir + "/notify.sock"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var sun = sockaddr_un()
        sun.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &sun.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let rc = withUnsafePointer(to: &sun) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(rc == 0)
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }
    deinit { close(fd) }

    /// The next datagram's text, nil on timeout.
    func next() -> String? {
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return n > 0 ? String(decoding: buf[0..<n], as: UTF8.self) : nil
    }

    /// Reads datagrams until one contains `line`; all of them are returned.
    func await(_ line: String) -> [String] {
        var seen: [String] = []
        while let m = next() {
            seen.append(m)
            if m.split(separator: "\n").contains(Substring(line)) { break }
        }
        return seen
    }
}

@Suite(.serialized) struct LifecycleIntegrationTests {
    @Test("SIGTERM: the request in flight completes, idle connections close, exit code 0")
    func gracefulShutdown() throws {
        let d = try DaemonProcess(server: ephemeralServer())
        let idle = try RawClient(d.ingest)
        try idle.send(get("/healthz"))
        #expect(idle.readAnswer()?.status == 200)
        let busy = try RawClient(d.ingest)
        try busy.send("POST /hooks/zz HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\n{}")
        usleep(100_000)
        d.signal(SIGTERM)
        #expect(idle.isClosedByPeer())
        try busy.send("  ")  // the rest of the body, after SIGTERM
        let a = try #require(busy.readAnswer())
        #expect(a.status == 404 && a.closes)
        #expect(busy.isClosedByPeer())
        busy.shutdownWrite()  // the client closes too, ending the server's lingering close
        #expect(d.waitExit() == 0)
        #expect(d.stderr.contains("<6>payhookd: shutting down"))
    }

    @Test("SIGTERM with nothing in flight exits 0 at once and new connections are refused")
    func shutdownIdle() throws {
        let d = try DaemonProcess(server: ephemeralServer())
        let address = d.ingest
        d.signal(SIGTERM)
        #expect(d.waitExit(timeoutMs: 5000) == 0)
        #expect(throws: RawClient.Failure.self) { _ = try RawClient(address) }
    }

    @Test("a stalled request does not hold shutdown past shutdown_timeout_ms")
    func shutdownDeadline() throws {
        let d = try DaemonProcess(server: ephemeralServer("shutdown_timeout_ms = 300\nheader_timeout_ms = 60000"))
        let stalled = try RawClient(d.ingest)
        try stalled.send("GET /healthz HTTP/1.1\r\n")
        usleep(50_000)
        d.signal(SIGTERM)
        #expect(d.waitExit(timeoutMs: 3000) == 0)
    }

    @Test("sd_notify: READY=1 once listening (with STATUS), STOPPING=1 on SIGTERM")
    func sdNotify() throws {
        let dir = DaemonProcess.makeTempDir()
        let notify = try NotifySocket(dir: dir)
        let d = try DaemonProcess(server: ephemeralServer(), environment: ["NOTIFY_SOCKET": notify.path], dir: dir)
        let ready = notify.await("READY=1")
        #expect(ready.last?.contains("STATUS=serving on ingest ") == true)
        let c = try RawClient(d.ingest)  // ready means connectable
        try c.send(get("/healthz"))
        #expect(c.readAnswer()?.status == 200)
        d.signal(SIGTERM)
        #expect(notify.await("STOPPING=1").last?.contains("STOPPING=1") == true)
        #expect(d.waitExit() == 0)
    }

    @Test("WATCHDOG_USEC makes the loop send WATCHDOG=1 pings")
    func watchdog() throws {
        let dir = DaemonProcess.makeTempDir()
        let notify = try NotifySocket(dir: dir)
        let d = try DaemonProcess(server: ephemeralServer(), environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "200000"], dir: dir)
        _ = notify.await("READY=1")
        #expect(notify.await("WATCHDOG=1").last == "WATCHDOG=1")
        #expect(notify.await("WATCHDOG=1").last == "WATCHDOG=1")
        _ = d
    }

    @Test("unix-socket listeners serve HTTP and their files are removed at shutdown")
    func unixListeners() throws {
        let dir = DaemonProcess.makeTempDir()
        let d = try DaemonProcess(
            server: """
                ingest = ["unix:\(dir)/ingest.sock"]
                admin = ["unix:\(dir)/admin.sock"]
                """, dir: dir)
        let ingest = try RawClient(d.address("ingest", unix: true))
        try ingest.send("POST /hooks/zz HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
        #expect(ingest.readAnswer()?.status == 404)
        let admin = try RawClient(d.address("admin", unix: true))
        try admin.send(get("/readyz"))
        #expect(admin.readAnswer()?.status == 200)
        d.signal(SIGTERM)
        #expect(d.waitExit() == 0)
        #expect(access(dir + "/ingest.sock", F_OK) != 0)
    }

    /// A client of a socket systemd-socket-activate holds: the tool creates the file at bind and
    /// listens just after, so a connect is retried until it is taken.
    func activationClient(_ path: String) throws -> RawClient {
        for _ in 0..<500 {
            if let client = try? RawClient("unix:" + path) { return client }
            usleep(10_000)
        }
        return try RawClient("unix:" + path)
    }

    @Test("socket activation: inherited ingest/admin sockets are used instead of binding")
    func socketActivation() throws {
        let tool = "/usr/bin/systemd-socket-activate"
        guard access(tool, X_OK) == 0 else {
            print("skipped: \(tool) not installed (Debian package systemd)")
            return
        }
        let dir = DaemonProcess.makeTempDir()
        // The config's own addresses would fail to bind (port 1 needs root): only inherited
        // sockets can make this daemon answer.
        let d = try DaemonProcess(
            server: "ingest = [\"127.0.0.1:1\"]\nadmin = [\"127.0.0.2:1\"]",
            wrapper: [
                tool, "-l", dir + "/ingest.sock", "-l", dir + "/admin.sock", "--fdname=ingest:admin",
                "-E", "PAYHOOKD_READY_FILE=\(dir)/ready",
            ],
            awaitReady: false, dir: dir)
        let admin = try activationClient(dir + "/admin.sock")  // starts the daemon
        try admin.send(get("/readyz"))
        #expect(admin.readAnswer()?.status == 200)
        let ingest = try RawClient("unix:" + dir + "/ingest.sock")
        try ingest.send(get("/readyz"))
        #expect(ingest.readAnswer()?.status == 404)  // ingest routes only: the names were honoured
        try d.waitReady()
        #expect(d.listeners.map(\.role) == ["ingest", "admin"])
        d.signal(SIGTERM)
        #expect(d.waitExit() == 0)
    }

    @Test("socket activation of ingest only: admin is bound from the config")
    func socketActivationPartial() throws {
        let tool = "/usr/bin/systemd-socket-activate"
        guard access(tool, X_OK) == 0 else {
            print("skipped: \(tool) not installed (Debian package systemd)")
            return
        }
        let dir = DaemonProcess.makeTempDir()
        let d = try DaemonProcess(
            server: "ingest = [\"127.0.0.1:1\"]\nadmin = [\"127.0.0.2:0\"]",
            wrapper: [tool, "-l", dir + "/ingest.sock", "--fdname=ingest", "-E", "PAYHOOKD_READY_FILE=\(dir)/ready"],
            awaitReady: false, dir: dir)
        let ingest = try activationClient(dir + "/ingest.sock")  // starts the daemon
        try ingest.send(get("/healthz"))
        #expect(ingest.readAnswer()?.status == 200)
        try d.waitReady()
        let admin = try RawClient(d.admin)
        try admin.send(get("/readyz"))
        #expect(admin.readAnswer()?.status == 200)
        d.signal(SIGTERM)
        #expect(d.waitExit() == 0)
    }

    @Test("SIGHUP: a bad config is refused and the old one stays; a good one swaps the sources")
    func reload() throws {
        let d = try DaemonProcess(server: ephemeralServer())
        let config = d.dir + "/payhookd.toml"
        let original = try DaemonProcess.readFile(config)
        try DaemonProcess.writeFile(config, original + "\nbogus_key = 1\n")
        d.signal(SIGHUP)
        // The reload runs on a worker; its outcome line comes when the loop applied or refused it.
        #expect(ReloadIntegrationTests.waitFor(d, "<3>payhookd: reload refused"))
        let c = try RawClient(d.ingest)
        try c.send("POST /hooks/noventiq HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n")
        #expect(c.readAnswer()?.status == 401)  // the old source stays: known, and the signature is missing
        try DaemonProcess.writeFile(config, original.replacingOccurrences("name = \"noventiq\"", "name = \"renamed\""))
        d.signal(SIGHUP)
        #expect(ReloadIntegrationTests.waitFor(d, "<6>payhookd: configuration reloaded"))
        try c.send("POST /hooks/noventiq HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
        #expect(c.readAnswer()?.body.contains("unknown_source") == true)
        try c.send("POST /hooks/renamed HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n")
        #expect(c.readAnswer()?.status == 401)
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound] + replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

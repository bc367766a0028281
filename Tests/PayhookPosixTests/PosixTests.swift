import CLinuxShim
import Glibc
import PayhookPosix
import Testing

@Suite struct ServerListenAddressTests {
    @Test("HOST:PORT, [V6]:PORT, localhost and unix:/path parse to their kinds")
    func parsesForms() throws {
        #expect(try ListenAddress.parse("127.0.0.1:8480") == .ipv4(host: "127.0.0.1", port: 8480))
        #expect(try ListenAddress.parse("[::1]:0") == .ipv6(host: "::1", port: 0))
        #expect(try ListenAddress.parse("localhost:80") == .ipv4(host: "127.0.0.1", port: 80))
        #expect(try ListenAddress.parse("unix:/run/p.sock") == .unix(path: "/run/p.sock"))
    }

    @Test(
        "bad addresses are refused with the offending text",
        arguments: [
            "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "example.com:80", "[::1]80", "[::1:80",
            "::1:80", "unix:relative.sock", "[127.0.0.1]:80",
        ])
    func refusesBad(_ text: String) {
        #expect(throws: ListenAddress.ParseError.self) { try ListenAddress.parse(text) }
    }

    @Test("a unix path of 107 bytes is accepted and one of 108 refused")
    func unixPathLimit() throws {
        let ok = "/" + String(repeating: "a", count: ListenAddress.maxUnixPathBytes - 1)
        #expect(try ListenAddress.parse("unix:" + ok) == .unix(path: ok))
        #expect(throws: ListenAddress.ParseError.self) { try ListenAddress.parse("unix:" + ok + "a") }
    }

    @Test("loopback and unix count as local, other addresses do not")
    func locality() throws {
        #expect(try ListenAddress.parse("127.0.0.2:1").isLocal)
        #expect(try ListenAddress.parse("[::1]:1").isLocal)
        #expect(try !ListenAddress.parse("0.0.0.0:1").isLocal)
        #expect(try !ListenAddress.parse("[::]:1").isLocal)
    }
}

@Suite struct ServerSocketTests {
    @Test("port 0 binds a real port that getsockname reports and a client can reach")
    func portZero() throws {
        let listener = try Socket.listen(.ipv4(host: "127.0.0.1", port: 0))
        defer { IO.close(listener) }
        let bound = try Socket.localAddress(listener)
        #expect(bound.port != 0)
        #expect(bound.description == "127.0.0.1:\(bound.port)")
        #expect(try Socket.accept(listener) == nil)  // non-blocking: nothing pending
        let client = try Socket.connectBlocking(try ListenAddress.parse(bound.description))
        defer { IO.close(client) }
        var accepted: (fd: Int32, peer: SocketAddress)? = nil
        for _ in 0..<100 where accepted == nil {
            // EMFILE may be injected by the accept-backoff test running in parallel: retry.
            accepted = try? Socket.accept(listener)
            if accepted == nil { usleep(1000) }
        }
        let conn = try #require(accepted)
        defer { IO.close(conn.fd) }
        #expect(conn.peer.host == "127.0.0.1")
        #expect(try Socket.peerAddress(conn.fd).host == "127.0.0.1")
        #expect(fcntl(conn.fd, F_GETFL) & O_NONBLOCK != 0)
        #expect(fcntl(conn.fd, F_GETFD) & FD_CLOEXEC != 0)
    }

    @Test("IPv6 listeners bind and report [::1]:port")
    func ipv6() throws {
        let listener: Int32
        do { listener = try Socket.listen(.ipv6(host: "::1", port: 0)) } catch { return }  // no IPv6 here
        defer { IO.close(listener) }
        let bound = try Socket.localAddress(listener)
        #expect(bound.description == "[::1]:\(bound.port)")
    }

    @Test("a stale unix socket file is replaced; a live one is refused with EADDRINUSE")
    func unixStaleAndLive() throws {
        let path = "/tmp/payhookd-test-\(getpid())-\(Int.random(in: 0..<1_000_000)).sock"
        defer { IO.unlink(path) }
        let first = try Socket.listen(.unix(path: path))
        #expect(throws: SyscallError(call: "bind", errno: Errno(EADDRINUSE))) { _ = try Socket.listen(.unix(path: path)) }
        IO.close(first)  // the file stays behind: stale
        let second = try Socket.listen(.unix(path: path))
        defer { IO.close(second) }
        #expect(try Socket.localAddress(second).description == "unix:\(path)")
    }

    @Test("a regular file in the unix socket's place is never deleted")
    func unixRegularFileKept() throws {
        let path = "/tmp/payhookd-test-\(getpid())-file"
        try IO.replaceFile(path, with: Array("keep".utf8))
        defer { IO.unlink(path) }
        #expect(throws: SyscallError.self) { _ = try Socket.listen(.unix(path: path)) }
        #expect(access(path, F_OK) == 0)
    }
}

@Suite struct ServerFDTests {
    @Test("an eventfd counts signals until drained")
    func eventfd() throws {
        let e = try EventFD()
        #expect(e.drain() == 0)
        e.signal()
        e.signal()
        #expect(e.drain() == 2)
        #expect(e.drain() == 0)
    }

    @Test("a timerfd expires after its delay")
    func timerfd() throws {
        let t = try TimerFD()
        try t.set(afterMs: 5)
        #expect(t.drain() == 0)
        usleep(20_000)
        #expect(t.drain() == 1)
    }

    @Test("an injected EMFILE surfaces as a typed SyscallError naming the call, once")
    func faultInjection() throws {
        // signalfd: no other test calls it, so parallel tests cannot consume the armed fault.
        FaultInjection.shared.arm("signalfd", Errno(EMFILE))
        #expect(throws: SyscallError(call: "signalfd", errno: Errno(EMFILE))) { _ = try SignalFD(signals: []) }
        _ = try SignalFD(signals: [])
    }
}

@Suite struct ServerSystemdTests {
    @Test("sd_notify datagrams reach an abstract NOTIFY_SOCKET written with @")
    func notifyAbstract() throws {
        let name = "payhookd-test-\(getpid())-\(Int.random(in: 0..<1_000_000))"
        let fd = cshim_socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue))
        defer { IO.close(fd) }
        var sa = sockaddr_un()
        sa.sun_family = sa_family_t(AF_UNIX)
        let bytes = [UInt8(0)] + Array(name.utf8)
        withUnsafeMutableBytes(of: &sa.sun_path) { $0.copyBytes(from: bytes) }
        let len = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        let rc = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        #expect(rc == 0)
        let notifier = SystemdNotifier(environment: { $0 == "NOTIFY_SOCKET" ? "@" + name : nil })
        #expect(notifier.notify("READY=1") == nil)
        var buf = [UInt8](repeating: 0, count: 64)
        var n: Int? = nil
        for _ in 0..<100 where n == nil {
            n = try buf.withUnsafeMutableBytes { try IO.read(fd, into: $0) }
            if n == nil { usleep(1000) }
        }
        #expect(String(decoding: buf[0..<(n ?? 0)], as: UTF8.self) == "READY=1")
    }

    @Test("without NOTIFY_SOCKET notifications are no-ops; WATCHDOG_USEC for another pid is ignored")
    func notifyDisabled() {
        let off = SystemdNotifier(environment: { _ in nil })
        #expect(!off.isEnabled && off.notify("READY=1") == nil && off.watchdogIntervalMs == nil)
        let other = SystemdNotifier(environment: { ["WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "1"][$0] })
        #expect(other.watchdogIntervalMs == nil)
        let mine = SystemdNotifier(environment: { ["WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "\(getpid())"][$0] })
        #expect(mine.watchdogIntervalMs == 2000)
    }

    @Test("socket activation ignores variables meant for another process")
    func activationOtherPid() throws {
        let env = ["LISTEN_PID": "1", "LISTEN_FDS": "2", "LISTEN_FDNAMES": "ingest:admin"]
        #expect(try SocketActivation.inherited(environment: { env[$0] }, unset: false).isEmpty)
    }
}

import CLinuxShim
import Glibc
import PayhookPosix
import Synchronization
import TestSupport
import Testing

@testable import PayhookDaemon

/// Blocking client helpers for in-process server tests (the loop runs on the test's thread,
/// the client on another).
enum LoopClient {
    static func exchange(_ address: String, _ request: String, answers: Int) -> String {
        guard let fd = try? Socket.connectBlocking(try ListenAddress.parse(address)) else { return "connect failed" }
        defer { IO.close(fd) }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        _ = Array(request.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while out.filter({ $0 == UInt8(ascii: "}") }).count < answers {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A counter other threads can read.
final class Counter: Sendable {
    let value = Mutex<Int>(0)
}

@Suite struct ServerDeferredTests {
    /// A server on 127.0.0.1:0 with `/slow`, whose answer comes from another thread through a
    /// `LoopNotifier`, the way the log writer answers after fdatasync.
    final class Fixture {
        let server: Server
        let address: String
        var parked: [Responder] = []
        /// How many requests reached `/slow` (read from other threads).
        let parkedCount = Counter()
        let ready = Mutex<Bool>(false)
        var notifier: LoopNotifier!

        init() throws {
            server = try Server(options: Server.Options())
            address = try server.listen(.ingest, on: .ipv4(host: "127.0.0.1", port: 0)).description
            var router = DefaultRoutes.router(config: Config(), isReady: { true })
            router.add(["GET"], "/slow", on: [.ingest]) { [unowned self] _, responder in
                self.parked.append(responder)
                self.parkedCount.value.withLock { $0 += 1 }
            }
            server.router = router
            notifier = server.loop.makeNotifier { [unowned self] in
                for r in self.parked { r.respond(.json(200, #"{"slow":true}"#)) }
                self.parked = []
            }
        }
    }

    @Test("a deferred answer holds the pipelined answers after it, which then leave in order")
    func deferredHoldsPipeline() throws {
        let f = try Fixture()
        let notifier = f.notifier!
        let address = f.address
        let result = Mutex<String>("")
        let client = TestThread {
            let text = LoopClient.exchange(address, "GET /slow HTTP/1.1\r\nHost: t\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", answers: 2)
            result.withLock { $0 = text }
        }
        // The "disk" answers from another thread once the request waits for it.
        let parked = f.parkedCount
        let writer = TestThread {
            for _ in 0..<1000 where parked.value.withLock({ $0 }) == 0 { usleep(5000) }
            notifier.notify()
        }
        let stop = f.server.loop.makeNotifier { f.server.loop.stop() }
        let waiter = TestThread {
            client.join()
            stop.notify()
        }
        try f.server.loop.run()
        writer.join()
        waiter.join()
        let text = result.withLock { $0 }
        let slow = text.firstRange(of: #"{"slow":true}"#)
        let health = text.firstRange(of: #"{"ok":true}"#)
        #expect(slow != nil && health != nil)
        if let slow, let health { #expect(slow.lowerBound < health.lowerBound) }
    }

    @Test("shutdown waits for a deferred answer, sends it with Connection: close, then stops")
    func shutdownWaitsForDeferred() throws {
        let f = try Fixture()
        let notifier = f.notifier!
        let address = f.address
        let result = Mutex<String>("")
        let client = TestThread {
            result.withLock { $0 = LoopClient.exchange(address, "GET /slow HTTP/1.1\r\nHost: t\r\n\r\n", answers: 1) }
        }
        let shutdown = f.server.loop.makeNotifier { f.server.beginShutdown(notifier: SystemdNotifier(environment: { _ in nil })) }
        let parked = f.parkedCount
        let driver = TestThread {
            for _ in 0..<1000 where parked.value.withLock({ $0 }) == 0 { usleep(5000) }
            shutdown.notify()  // SIGTERM while /slow waits
            usleep(100_000)
            notifier.notify()  // the write becomes durable: the answer goes out
        }
        try f.server.loop.run()  // returns once drained
        client.join()
        driver.join()
        let text = result.withLock { $0 }
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(text.contains("Connection: close\r\n"))
        #expect(f.server.connectionCount == 0)
    }

    @Test("EMFILE on accept pauses accepting for acceptBackoffMs; the pending client is served after")
    func acceptBackoff() throws {
        var options = Server.Options()
        options.acceptBackoffMs = 50
        let server = try Server(options: options)
        let address = try server.listen(.ingest, on: .ipv4(host: "127.0.0.1", port: 0)).description
        server.router = DefaultRoutes.router(config: Config(), isReady: { true })
        FaultInjection.shared.arm("accept4", Errno(EMFILE))
        let result = Mutex<String>("")
        let client = TestThread { result.withLock { $0 = LoopClient.exchange(address, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", answers: 1) } }
        let stop = server.loop.makeNotifier { server.loop.stop() }
        let waiter = TestThread {
            client.join()
            stop.notify()
        }
        try server.loop.run()
        waiter.join()
        #expect(result.withLock { $0 }.hasPrefix("HTTP/1.1 200 OK"))
    }

    @Test("a client that never reads its answers is cut off after sendTimeoutMs")
    func sendTimeout() throws {
        var options = Server.Options()
        options.sendTimeoutMs = 200
        let server = try Server(options: options)
        let address = try server.listen(.ingest, on: .ipv4(host: "127.0.0.1", port: 0)).description
        server.router = DefaultRoutes.router(config: Config(), isReady: { true })
        let count = Mutex<Int>(-1)
        // Counted on the loop while the client still holds its socket open.
        let check = server.loop.makeNotifier { count.withLock { $0 = server.connectionCount } }
        let client = TestThread {
            guard let fd = try? Socket.connectBlocking(try ListenAddress.parse(address)) else { return }
            defer { IO.close(fd) }
            var small: Int32 = 4096
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, 4)
            var tv = timeval(tv_sec: 0, tv_usec: 300_000)
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            // 404 answers echo the 3000-byte path: answers outgrow the kernel's buffers fast.
            let request = "GET /" + String(repeating: "a", count: 3000) + " HTTP/1.1\r\nHost: t\r\n\r\n"
            let chunk = Array(String(repeating: request, count: 10).utf8)
            let start = cshim_monotonic_ns()
            var blocked = 0
            while cshim_monotonic_ns() - start < 1_500_000_000 && blocked < 3 {
                if chunk.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) <= 0 { blocked += 1 }
            }
            usleep(600_000)  // read nothing for longer than sendTimeoutMs
            // Asked again until closed or 10 s pass: a loaded machine may run the loop late, but
            // a connection that is never cut off still fails.
            for _ in 0..<50 {
                count.withLock { $0 = -1 }
                check.notify()
                for _ in 0..<200 where count.withLock({ $0 }) < 0 { usleep(5000) }
                if count.withLock({ $0 }) == 0 { break }
                usleep(200_000)
            }
        }
        let stop = server.loop.makeNotifier { server.loop.stop() }
        let waiter = TestThread {
            client.join()
            stop.notify()
        }
        try server.loop.run()
        waiter.join()
        #expect(count.withLock { $0 } == 0)
    }
}

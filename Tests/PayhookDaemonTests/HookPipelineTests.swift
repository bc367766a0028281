import Glibc
import PayhookHTTP1
import PayhookPosix
import Synchronization
import Testing

@testable import PayhookDaemon

/// A loopback server running `script` on each accepted connection (its index from 0), one
/// connection at a time, on a thread of its own.
final class ScriptedServer: @unchecked Sendable {
    let fd: Int32
    let port: UInt16
    let accepted = Atomic<Int>(0)
    private let script: @Sendable (Int32, Int) -> Void
    private var thread: pthread_t = 0

    init(_ script: @escaping @Sendable (_ fd: Int32, _ index: Int) -> Void) {
        self.script = script
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        _ = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        listen(fd, 16)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        port = UInt16(bigEndian: sin.sin_port)
        let box = Unmanaged.passRetained(self)
        pthread_create(
            &thread, nil,
            { arg in
                let server = Unmanaged<ScriptedServer>.fromOpaque(arg!).takeRetainedValue()
                server.serve()
                return nil
            }, box.toOpaque())
    }

    private func serve() {
        while true {
            let c = accept(fd, nil, nil)
            if c < 0 { return }
            let index = accepted.add(1, ordering: .relaxed).newValue - 1
            script(c, index)
            close(c)
        }
    }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        pthread_join(thread, nil)
        close(fd)
    }

    /// Reads until `count` whole test requests arrived (or 5 s passed, or EOF); returns their
    /// `X-Id` values in arrival order.
    static func readRequests(_ c: Int32, count: Int) -> [String] {
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var pfd = pollfd(fd: c, events: Int16(POLLIN), revents: 0)
        while ids(text).count < count, poll(&pfd, 1, 5000) > 0 {
            let n = buffer.withUnsafeMutableBytes { read(c, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            text += String(decoding: buffer[..<n], as: UTF8.self)
        }
        return ids(text)
    }

    /// Ids of the complete requests in `text` (each ends with its 2-byte body `{}`).
    static func ids(_ text: String) -> [String] {
        text.split(separator: "\r\n\r\n{}", omittingEmptySubsequences: true).compactMap { request in
            request.split(separator: "\r\n").first { $0.hasPrefix("X-Id: ") }.map { String($0.dropFirst(6)) }
        }
    }

    /// `200` answers whose bodies are the ids, all in one write.
    static func answer(_ c: Int32, _ ids: [String]) {
        let bytes = Array(ids.map { "HTTP/1.1 200 OK\r\nContent-Length: \($0.utf8.count)\r\n\r\n\($0)" }.joined().utf8)
        _ = bytes.withUnsafeBytes { write(c, $0.baseAddress, $0.count) }
    }
}

/// Several requests in flight on one `HookConnection` (HTTP/1.1 pipelining).
@Suite struct HookPipelineTests {
    static func request(_ id: String) -> [UInt8] {
        Array("POST /e HTTP/1.1\r\nHost: x\r\nX-Id: \(id)\r\nContent-Length: 2\r\n\r\n{}".utf8)
    }

    /// Sends the ids on `connection` at once and runs the loop until every answer or failure
    /// came; returns the answer bodies (or "failed: cause") by id.
    static func sendAll(_ ids: [String], on connection: HookConnection, loop: EventLoop) -> [String: String] {
        var results: [String: String] = [:]
        for id in ids {
            connection.send(request(id), timeoutMs: 10_000) { r in
                switch r {
                case .success(let response): results[id] = String(decoding: response.body, as: UTF8.self)
                case .failure(let failure): results[id] = "failed: \(failure.cause)"
                }
                if results.count == ids.count { loop.stop() }
            }
        }
        try? loop.run()
        return results
    }

    /// The server waits for all four requests before answering any: only a client that wrote
    /// them without waiting gets answers. Answers in one write go to their requests in order.
    @Test func answersAreMatchedToRequestsInOrder() throws {
        let seen = Mutex<[[String]]>([])
        let server = ScriptedServer { c, _ in
            let ids = ScriptedServer.readRequests(c, count: 4)
            seen.withLock { $0.append(ids) }
            ScriptedServer.answer(c, ids)
            _ = ScriptedServer.readRequests(c, count: 1)  // until the client closes
        }
        defer { server.stop() }
        let loop = try EventLoop(capacity: 16)
        let connection = HookConnection(loop: loop, address: .ipv4(host: "127.0.0.1", port: server.port), maxPipelined: 4)
        defer { connection.release() }
        let results = Self.sendAll(["a", "b", "c", "d"], on: connection, loop: loop)
        #expect(results == ["a": "a", "b": "b", "c": "c", "d": "d"])
        #expect(seen.withLock { $0 } == [["a", "b", "c", "d"]])
        #expect(server.accepted.load(ordering: .relaxed) == 1)
        #expect(connection.isIdle)
    }

    /// The receiver answers two of four pipelined requests and closes (a per-connection request
    /// limit): the two without an answer go out again on a fresh connection and succeed there.
    @Test func closeMidPipelineResendsTheUnanswered() throws {
        let seen = Mutex<[[String]]>([])
        let server = ScriptedServer { c, index in
            let ids = ScriptedServer.readRequests(c, count: index == 0 ? 4 : 2)
            seen.withLock { $0.append(ids) }
            ScriptedServer.answer(c, index == 0 ? Array(ids.prefix(2)) : ids)
            if index == 0 { usleep(20_000) } else { _ = ScriptedServer.readRequests(c, count: 1) }
        }
        defer { server.stop() }
        let loop = try EventLoop(capacity: 16)
        let connection = HookConnection(loop: loop, address: .ipv4(host: "127.0.0.1", port: server.port), maxPipelined: 4)
        defer { connection.release() }
        let results = Self.sendAll(["a", "b", "c", "d"], on: connection, loop: loop)
        #expect(results == ["a": "a", "b": "b", "c": "c", "d": "d"])
        #expect(seen.withLock { $0 } == [["a", "b", "c", "d"], ["c", "d"]])
        #expect(server.accepted.load(ordering: .relaxed) == 2)
    }

    /// A receiver that closes every connection without answering: each death fails the request
    /// at the head (a fresh connection that never answered says something about it); the
    /// others are resent, so every request ends, each failed once, with no endless reconnects.
    @Test func receiverDyingEveryTimeFailsEachHeadOnce() throws {
        let server = ScriptedServer { c, _ in _ = ScriptedServer.readRequests(c, count: 1) }
        defer { server.stop() }
        let loop = try EventLoop(capacity: 16)
        let connection = HookConnection(loop: loop, address: .ipv4(host: "127.0.0.1", port: server.port), maxPipelined: 3)
        defer { connection.release() }
        let results = Self.sendAll(["a", "b", "c"], on: connection, loop: loop)
        #expect(results == ["a": "failed: protocolError", "b": "failed: protocolError", "c": "failed: protocolError"])
        #expect(server.accepted.load(ordering: .relaxed) == 3)
    }

    /// The first request never gets an answer: it times out alone. The two behind it waited,
    /// unjudged; they go out again on a fresh connection with a fresh timeout and succeed.
    @Test func hangingHeadTimesOutAloneTheOthersAreResent() throws {
        let seen = Mutex<[[String]]>([])
        let server = ScriptedServer { c, index in
            let ids = ScriptedServer.readRequests(c, count: index == 0 ? 3 : 2)
            seen.withLock { $0.append(ids) }
            if index > 0 { ScriptedServer.answer(c, ids) }
            _ = ScriptedServer.readRequests(c, count: 4)  // until the client closes
        }
        defer { server.stop() }
        let loop = try EventLoop(capacity: 16)
        let connection = HookConnection(loop: loop, address: .ipv4(host: "127.0.0.1", port: server.port), maxPipelined: 3)
        defer { connection.release() }
        var results: [String: String] = [:]
        for id in ["a", "b", "c"] {
            connection.send(Self.request(id), timeoutMs: 500) { r in
                switch r {
                case .success(let response): results[id] = String(decoding: response.body, as: UTF8.self)
                case .failure(let failure): results[id] = "failed: \(failure.cause)"
                }
                if results.count == 3 { loop.stop() }
            }
        }
        try loop.run()
        #expect(results == ["a": "failed: timeout", "b": "b", "c": "c"])
        #expect(seen.withLock { $0 } == [["a", "b", "c"], ["b", "c"]])
    }

    /// `maxPipelined` N: the N-th request fits on the connection, the (N+1)-th does not.
    @Test(arguments: [1, 2, 16])
    func roomEndsAtMaxPipelined(limit: Int) throws {
        let server = ScriptedServer { c, _ in _ = ScriptedServer.readRequests(c, count: limit + 1) }
        defer { server.stop() }
        let loop = try EventLoop(capacity: 16)
        let connection = HookConnection(loop: loop, address: .ipv4(host: "127.0.0.1", port: server.port), maxPipelined: limit)
        defer { connection.release() }
        for i in 0..<limit {
            #expect(connection.hasRoom)
            connection.send(Self.request("\(i)"), timeoutMs: 10_000) { _ in }
        }
        #expect(!connection.hasRoom)
        #expect(connection.outstanding == limit)
    }
}

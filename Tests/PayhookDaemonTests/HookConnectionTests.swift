import Glibc
import PayhookHTTP1
import PayhookPosix
import Synchronization
import Testing

@testable import PayhookDaemon

/// A loopback server that answers each connection's first request `204` (keep-alive), then
/// closes that connection, as a receiver whose idle timeout fired: the next request on a
/// kept-alive connection finds it dead.
private func closingServer() -> ScriptedServer {
    ScriptedServer { c, _ in
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: request, as: UTF8.self).contains("\r\n\r\n") {
            let n = buffer.withUnsafeMutableBytes { read(c, $0.baseAddress, 4096) }
            if n <= 0 { break }
            request += buffer[0..<n]
        }
        let answer = Array("HTTP/1.1 204 No Content\r\n\r\n".utf8)
        _ = answer.withUnsafeBytes { write(c, $0.baseAddress, $0.count) }
        usleep(20_000)  // the client has read the answer before the close
    }
}

@Suite struct HookConnectionTests {
    private func send(_ connection: HookConnection, on loop: EventLoop) -> Result<HTTP1Response, HookFailure>? {
        var result: Result<HTTP1Response, HookFailure>?
        let request = Array("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}".utf8)
        connection.send(request, timeoutMs: 5000) { r in
            result = r
            loop.stop()
        }
        try? loop.run()
        return result
    }

    /// The receiver closed the kept-alive connection while it was idle and the loop had not seen
    /// it yet: the attempt goes out again at once on a fresh connection, not counted as failed.
    @Test func deadKeptAliveConnectionIsRetriedOnceOnAFreshOne() throws {
        let server = closingServer()
        defer { server.stop() }
        let loop = try EventLoop(capacity: 16)
        let connection = HookConnection(loop: loop, address: .ipv4(host: "127.0.0.1", port: server.port))
        defer { connection.release() }
        guard case .success(let first)? = send(connection, on: loop) else {
            Issue.record("first attempt failed")
            return
        }
        #expect(first.status == 204)
        // The server closes its end now; the loop does not run meanwhile, so the connection
        // still looks idle and reusable.
        usleep(100_000)
        #expect(connection.isIdle)
        let second = send(connection, on: loop)
        if case .failure(let failure)? = second { Issue.record("second attempt failed: \(failure.message)") }
        #expect(server.accepted.load(ordering: .relaxed) == 2)
    }

    /// A fresh connection that fails is not retried: the failure is the attempt's.
    @Test func freshConnectionFailureIsNotRetried() throws {
        let server = closingServer()
        let port = server.port
        server.stop()
        let loop = try EventLoop(capacity: 16)
        let connection = HookConnection(loop: loop, address: .ipv4(host: "127.0.0.1", port: port))
        defer { connection.release() }
        guard case .failure(let failure)? = send(connection, on: loop) else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.cause == .connect)
    }
}

import Glibc
import Synchronization

/// A small HTTP/1.1 server in the test process standing in for a hook's receiver: keep-alive,
/// one thread per connection, Content-Length bodies. It records every request and answers with
/// the status `answer` picks.
final class HookReceiver: @unchecked Sendable {
    struct Received: Sendable {
        var headers: [String: String]
        var body: String
        var status: Int
        func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    let port: UInt16
    /// Connections accepted so far.
    let accepted = Atomic<Int>(0)
    private let fd: Int32
    /// Joined before the listener is closed: a thread still to call accept(2) would otherwise
    /// accept on whatever socket reuses the descriptor number (and answer as this receiver).
    private var acceptor: Worker?
    private let state = Mutex<(received: [Received], answer: @Sendable (Received) -> Int)>(([], { _ in 204 }))

    /// Listens on 127.0.0.1:`port` (0: any free port).
    init(port: UInt16 = 0) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.fd = fd
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        sin.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let rc = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0, listen(fd, 64) == 0 else { throw RawClient.Failure(description: "bind/listen: errno \(errno)") }
        var bound = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        self.port = UInt16(bigEndian: bound.sin_port)
        let listener = fd
        acceptor = Worker { [self] in
            while true {
                let c = accept(listener, nil, nil)
                if c < 0 { return }
                accepted.add(1, ordering: .relaxed)
                _ = Worker { [self] in serve(c) }
            }
        }
    }

    /// A free port nobody listens on right now (bound, then closed).
    static func freePort() throws -> UInt16 {
        let r = try HookReceiver()
        r.stop()
        return r.port
    }

    func setAnswer(_ answer: @escaping @Sendable (Received) -> Int) { state.withLock { $0.answer = answer } }
    var received: [Received] { state.withLock { $0.received } }
    var delivered: [Received] { received.filter { (200...299).contains($0.status) } }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))  // accept(2) fails from now on, also if not called yet
        acceptor?.join()
        acceptor = nil
        close(fd)
    }

    /// Waits until `condition` holds on what arrived (up to `timeoutMs`).
    func wait(timeoutMs: Int = 20_000, _ condition: ([Received]) -> Bool) -> Bool {
        for _ in 0..<(timeoutMs / 20) {
            if condition(received) { return true }
            usleep(20_000)
        }
        return condition(received)
    }

    private func serve(_ c: Int32) {
        defer { close(c) }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            var headEnd: Int?
            while headEnd == nil {
                headEnd = find(buffer, Array("\r\n\r\n".utf8))
                if headEnd != nil { break }
                let n = read(c, &chunk, chunk.count)
                if n <= 0 { return }
                buffer += chunk[..<n]
            }
            let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
            var headers: [String: String] = [:]
            for line in head.split(separator: "\r\n").dropFirst() {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2 { headers[parts[0].lowercased()] = String(parts[1].drop { $0 == " " }) }
            }
            let length = Int(headers["content-length"] ?? "0") ?? 0
            let start = headEnd! + 4
            while buffer.count < start + length {
                let n = read(c, &chunk, chunk.count)
                if n <= 0 { return }
                buffer += chunk[..<n]
            }
            var r = Received(headers: headers, body: String(decoding: buffer[start..<(start + length)], as: UTF8.self), status: 0)
            buffer.removeFirst(start + length)
            r.status = state.withLock { $0.answer }(r)
            state.withLock { $0.received.append(r) }
            let answer = Array("HTTP/1.1 \(r.status) X\r\nContent-Length: 0\r\n\r\n".utf8)
            guard write(c, answer, answer.count) == answer.count else { return }
        }
    }

    private func find(_ b: [UInt8], _ p: [UInt8]) -> Int? {
        guard b.count >= p.count else { return nil }
        for i in 0...(b.count - p.count) where b[i..<(i + p.count)].elementsEqual(p) { return i }
        return nil
    }
}

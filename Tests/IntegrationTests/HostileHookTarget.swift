import Glibc
import Synchronization

/// A hook target in the test process that answers badly on purpose, one behaviour per listener.
final class HostileHookTarget: @unchecked Sendable {
    enum Mode: Sendable {
        /// Reads the request and never answers.
        case silent
        /// Answers a status line that is not HTTP.
        case badStatusLine
        /// Announces a 1 GB body and trickles it, 16 KiB every 10 ms, for as long as it is read.
        case trickledHugeBody
        /// Sends half a head, then resets the connection (SO_LINGER 0).
        case resetMidAnswer
    }

    let port: UInt16
    private let fd: Int32
    /// Joined before the listener is closed (see `HookReceiver.acceptor`).
    private var acceptor: Worker?
    let connections = Atomic<Int>(0)

    init(_ mode: Mode) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = 0  // any free port (a receiver bound and closed for its port could still accept on a reused fd)
        sin.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let rc = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0, listen(fd, 64) == 0 else { throw RawClient.Failure(description: "bind/listen: errno \(errno)") }
        var bound = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        self.fd = fd
        port = UInt16(bigEndian: bound.sin_port)
        acceptor = Worker { [self] in
            while true {
                let c = accept(fd, nil, nil)
                if c < 0 { return }
                connections.add(1, ordering: .relaxed)
                _ = Worker { Self.serve(c, mode) }
            }
        }
    }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        acceptor?.join()
        acceptor = nil
        close(fd)
    }

    private static func serve(_ c: Int32, _ mode: Mode) {
        defer { close(c) }
        var buf = [UInt8](repeating: 0, count: 65_536)
        while true {
            // One request per connection is enough: the daemon gives up on each answer.
            let n = buf.withUnsafeMutableBytes { read(c, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            if buf[..<n].lastIndex(of: 10) != nil { break }
        }
        switch mode {
        case .silent:
            while buf.withUnsafeMutableBytes({ read(c, $0.baseAddress, $0.count) }) > 0 {}
        case .badStatusLine:
            send(c, "HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n")
            while buf.withUnsafeMutableBytes({ read(c, $0.baseAddress, $0.count) }) > 0 {}
        case .trickledHugeBody:
            send(c, "HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n")
            let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 16_384)
            while chunk.withUnsafeBytes({ Glibc.send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) > 0 { usleep(10_000) }
        case .resetMidAnswer:
            send(c, "HTTP/1.1 200 OK\r\nContent-Le")
            usleep(50_000)
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(c, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        }
    }

    private static func send(_ c: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}

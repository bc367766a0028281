import Glibc
import Testing

/// A blocking client socket for raw HTTP bytes, with a receive timeout so a test never hangs.
final class RawClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// A parsed answer.
    struct Answer {
        var status: Int
        var head: String
        var body: String
        func header(_ name: String) -> String? {
            for line in head.split(separator: "\r\n").dropFirst() {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == name.lowercased() {
                    return parts[1].drop { $0 == " " }.description
                }
            }
            return nil
        }
        var closes: Bool { header("connection")?.lowercased() == "close" }
    }

    /// Connects to `HOST:PORT`, `[V6]:PORT` or `unix:/path`.
    init(_ address: String, timeoutMs: Int = 5000) throws {
        var storage = sockaddr_storage()
        var length: socklen_t = 0
        let family: Int32
        if address.hasPrefix("unix:") {
            family = AF_UNIX
            var sun = sockaddr_un()
            sun.sun_family = sa_family_t(AF_UNIX)
            let path = Array(address.dropFirst(5).utf8)
            withUnsafeMutableBytes(of: &sun.sun_path) { $0.copyBytes(from: path) }
            withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: &sun) { dst.copyMemory(from: $0) } }
            length = socklen_t(MemoryLayout<sockaddr_un>.size)
        } else {
            let colon = address.lastIndex(of: ":")!
            var host = String(address[..<colon])
            let port = UInt16(address[address.index(after: colon)...])!
            if host.hasPrefix("[") {
                host = String(host.dropFirst().dropLast())
                family = AF_INET6
                var sin6 = sockaddr_in6()
                sin6.sin6_family = sa_family_t(AF_INET6)
                sin6.sin6_port = port.bigEndian
                inet_pton(AF_INET6, host, &sin6.sin6_addr)
                withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: &sin6) { dst.copyMemory(from: $0) } }
                length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            } else {
                family = AF_INET
                var sin = sockaddr_in()
                sin.sin_family = sa_family_t(AF_INET)
                sin.sin_port = port.bigEndian
                inet_pton(AF_INET, host, &sin.sin_addr)
                withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: &sin) { dst.copyMemory(from: $0) } }
                length = socklen_t(MemoryLayout<sockaddr_in>.size)
            }
        }
        fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var tv = timeval(tv_sec: timeoutMs / 1000, tv_usec: (timeoutMs % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) } }
        // On failure deinit closes fd (the object is fully initialized): closing here as well
        // would close whatever another thread opened under the same number meanwhile.
        guard rc == 0 else { throw Failure(description: "connect \(address): errno \(errno)") }
    }

    deinit { close(fd) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send: errno \(errno)") }
            sent += n
        }
    }

    /// Whether the last failed read saw end of stream or a reset (not a timeout).
    private(set) var lastReadWasEnd = false

    func setReceiveTimeout(ms: Int) {
        var tv = timeval(tv_sec: ms / 1000, tv_usec: (ms % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Reads more bytes; false at end of stream or on error/timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { lastReadWasEnd = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) }
        guard n > 0 else { return false }
        buffer += chunk[0..<n]
        return true
    }

    /// Reads one answer (framed by Content-Length); nil when the connection closed first.
    func readAnswer(headRequest: Bool = false) -> Answer? {
        while true {
            if let end = find([13, 10, 13, 10]) {
                let head = String(decoding: buffer[0..<end], as: UTF8.self)
                let statusLine = head.split(separator: "\r\n").first ?? ""
                let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
                var answer = Answer(status: status, head: head, body: "")
                let length = headRequest || status == 100 ? 0 : Int(answer.header("content-length") ?? "0") ?? 0
                while buffer.count < end + 4 + length { if !fill() { return nil } }
                answer.body = String(decoding: buffer[(end + 4)..<(end + 4 + length)], as: UTF8.self)
                buffer.removeFirst(end + 4 + length)
                return answer
            }
            if !fill() { return nil }
        }
    }

    /// True when the server closed the connection (end of stream or reset) with nothing more
    /// to read, within the receive timeout.
    func isClosedByPeer() -> Bool {
        guard buffer.isEmpty else { return false }
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, 0)
        if n == 0 { return true }
        if n < 0 && (errno == ECONNRESET || errno == EPIPE) { return true }
        if n > 0 { buffer.append(byte) }
        return false
    }

    /// Everything until the server closes (or the timeout).
    func readToEnd() -> String {
        while fill() {}
        defer { buffer.removeAll() }
        return String(decoding: buffer, as: UTF8.self)
    }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    private func find(_ pattern: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        for i in 0...(buffer.count - pattern.count) where buffer[i] == pattern[0] {
            if Array(buffer[i..<(i + pattern.count)]) == pattern { return i }
        }
        return nil
    }
}

/// `GET path` with a Host field.
func get(_ path: String, close: Bool = false) -> String {
    "GET \(path) HTTP/1.1\r\nHost: test\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n"
}

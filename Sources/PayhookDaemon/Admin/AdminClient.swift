import PayhookPosix

/// A small blocking HTTP/1.1 client for the CLI (`payhookd status`, `rejects reverify`): one
/// request per connection (`Connection: close`) to the first admin listener of the config.
public enum AdminClient {
    public struct Answer: Sendable {
        public var status: Int
        public var body: String
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Largest answer read, in bytes. Default 16 MiB.
    public static let maxAnswerBytes = 16 << 20

    /// Sends `method path` to `admin` (default: the first admin listener of `config`), with the
    /// config's bearer token.
    public static func request(_ method: String, _ path: String, config: Config, admin: String? = nil) throws(Failure) -> Answer {
        guard let text = admin ?? config.server.admin.first else { throw Failure(description: "no admin listener is configured") }
        let address: ListenAddress
        do { address = try ListenAddress.parse(text) } catch { throw Failure(description: "admin address \(text): \(error)") }
        let fd: Int32
        do { fd = try Socket.connectBlocking(address) } catch {
            throw Failure(description: "cannot reach the admin listener at \(text): \(error) (is payhookd running?)")
        }
        defer { IO.close(fd) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 0\r\n"
        if let token = config.server.adminToken { head += "Authorization: Bearer \(token)\r\n" }
        head += "\r\n"
        let bytes: [UInt8]
        do {
            try writeAll(fd, Array(head.utf8))
            bytes = try readAll(fd)
        } catch {
            throw Failure(description: "admin listener at \(text): \(error)")
        }
        return try parse(bytes)
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = try bytes[offset...].withUnsafeBytes { p in try IO.write(fd, from: p) }
            offset += n ?? 0
        }
    }

    private static func readAll(_ fd: Int32) throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while out.count < maxAnswerBytes {
            let n = try chunk.withUnsafeMutableBytes { p in try IO.read(fd, into: p) } ?? 0
            if n == 0 { break }
            out += chunk[0..<n]
        }
        return out
    }

    private static func parse(_ bytes: [UInt8]) throws(Failure) -> Answer {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard bytes.starts(with: Array("HTTP/1.".utf8)),
            let end = (0...max(0, bytes.count - 4)).first(where: { bytes[$0..<min($0 + 4, bytes.count)].elementsEqual(separator) })
        else {
            throw Failure(description: "the admin listener sent no HTTP answer")
        }
        let statusLine = String(decoding: bytes[..<end].prefix { $0 != 13 }, as: UTF8.self)
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw Failure(description: "bad status line: \(statusLine)") }
        return Answer(status: status, body: String(decoding: bytes[(end + 4)...], as: UTF8.self))
    }
}

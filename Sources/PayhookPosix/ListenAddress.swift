import CLinuxShim
import Glibc

/// Where a listener binds: `HOST:PORT` (IPv4 or `localhost`), `[V6]:PORT` or `unix:/path`.
/// Hosts are numeric: a daemon that binds must not depend on DNS at start-up.
public enum ListenAddress: Equatable, Hashable, Sendable, CustomStringConvertible {
    case ipv4(host: String, port: UInt16)
    case ipv6(host: String, port: UInt16)
    case unix(path: String)

    /// Why a listen address string was refused, with the offending text.
    public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        public let text: String
        public let reason: String
        public var description: String { "invalid listen address \"\(text)\": \(reason)" }
    }

    /// Longest `unix:` path: `sizeof(sun_path) - 1` (107 bytes on Linux).
    public static let maxUnixPathBytes = 107

    /// Parses `127.0.0.1:8480`, `[::1]:8481`, `localhost:0` or `unix:/run/payhookd.sock`.
    public static func parse(_ text: String) throws(ParseError) -> ListenAddress {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard path.hasPrefix("/") else { throw ParseError(text: text, reason: "unix path must be absolute") }
            guard path.utf8.count <= maxUnixPathBytes else { throw ParseError(text: text, reason: "unix path longer than \(maxUnixPathBytes) bytes") }
            return .unix(path: path)
        }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw ParseError(text: text, reason: "missing ]") }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw ParseError(text: text, reason: "missing :PORT after ]") }
            let port = try parsePort(String(rest.dropFirst()), text)
            guard isNumeric(host, family: AF_INET6) else { throw ParseError(text: text, reason: "not an IPv6 address") }
            return .ipv6(host: host, port: port)
        }
        guard let colon = text.lastIndex(of: ":") else { throw ParseError(text: text, reason: "missing :PORT") }
        var host = String(text[..<colon])
        let port = try parsePort(String(text[text.index(after: colon)...]), text)
        if host == "localhost" { host = "127.0.0.1" }
        guard isNumeric(host, family: AF_INET) else {
            throw ParseError(text: text, reason: "host must be a numeric IPv4 address (IPv6 goes in brackets)")
        }
        return .ipv4(host: host, port: port)
    }

    /// True for loopback addresses and unix sockets (the admin listener's default policy).
    public var isLocal: Bool {
        switch self {
        case .unix: return true
        case .ipv4(let host, _): return host.hasPrefix("127.")
        case .ipv6(let host, _): return host == "::1"
        }
    }

    public var description: String {
        switch self {
        case .ipv4(let host, let port): return "\(host):\(port)"
        case .ipv6(let host, let port): return "[\(host)]:\(port)"
        case .unix(let path): return "unix:\(path)"
        }
    }

    private static func parsePort(_ s: String, _ text: String) throws(ParseError) -> UInt16 {
        guard !s.isEmpty, s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let port = UInt16(s) else {
            throw ParseError(text: text, reason: "port must be a number from 0 to 65535")
        }
        return port
    }

    private static func isNumeric(_ host: String, family: Int32) -> Bool {
        var buffer = in6_addr()
        return inet_pton(family, host, &buffer) == 1
    }
}

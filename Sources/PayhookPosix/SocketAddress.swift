import CLinuxShim
import Glibc

/// A socket address in a `sockaddr_storage`, converted to and from payhookd's text forms.
public struct SocketAddress: Sendable {
    public var storage = sockaddr_storage()
    public var length: socklen_t = socklen_t(MemoryLayout<sockaddr_storage>.size)

    public init() {}

    /// The address a listener binds for `address`.
    public init(_ address: ListenAddress) {
        switch address {
        case .ipv4(let host, let port):
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            _ = inet_pton(AF_INET, host, &sin.sin_addr)
            set(sin)
        case .ipv6(let host, let port):
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = port.bigEndian
            _ = inet_pton(AF_INET6, host, &sin6.sin6_addr)
            set(sin6)
        case .unix(let path):
            var sun = sockaddr_un()
            sun.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &sun.sun_path) { raw in
                let bytes = Array(path.utf8.prefix(raw.count - 1))
                raw.copyBytes(from: bytes)
            }
            set(sun)
        }
    }

    private mutating func set<T>(_ value: T) {
        var copy = value
        withUnsafeMutableBytes(of: &storage) { dst in
            withUnsafeBytes(of: &copy) { dst.copyMemory(from: $0) }
        }
        length = socklen_t(MemoryLayout<T>.size)
    }

    public var family: Int32 { Int32(storage.ss_family) }

    /// The host part only (`203.0.113.7`, `::1`, or `unix` for unix peers): what an IP allowlist
    /// compares. IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) are shown as IPv4.
    public var host: String {
        withUnsafeBytes(of: storage) { raw -> String in
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            switch family {
            case AF_INET:
                var sin = raw.load(as: sockaddr_in.self)
                inet_ntop(AF_INET, &sin.sin_addr, &text, socklen_t(text.count))
            case AF_INET6:
                var sin6 = raw.load(as: sockaddr_in6.self)
                let b = withUnsafeBytes(of: sin6.sin6_addr) { Array($0) }
                if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff {
                    return "\(b[12]).\(b[13]).\(b[14]).\(b[15])"
                }
                inet_ntop(AF_INET6, &sin6.sin6_addr, &text, socklen_t(text.count))
            case AF_UNIX: return "unix"
            default: return "unknown"
            }
            return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// The port for IP addresses, 0 otherwise.
    public var port: UInt16 {
        withUnsafeBytes(of: storage) { raw -> UInt16 in
            switch family {
            case AF_INET: return UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port)
            case AF_INET6: return UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port)
            default: return 0
            }
        }
    }

    /// The unix path, for unix addresses (empty for unnamed peers).
    public var unixPath: String {
        guard family == AF_UNIX else { return "" }
        return withUnsafeBytes(of: storage) { raw -> String in
            let offset = MemoryLayout<sa_family_t>.size
            let end = min(Int(length), MemoryLayout<sockaddr_un>.size)
            guard end > offset else { return "" }
            let bytes = raw[offset..<end].prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// `HOST:PORT`, `[V6]:PORT` or `unix:/path`: the form `ListenAddress.parse` reads back.
    public var description: String {
        switch family {
        case AF_INET: return "\(host):\(port)"
        case AF_INET6: return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case AF_UNIX: return "unix:\(unixPath)"
        default: return "unknown"
        }
    }

    /// Calls `body` with the address as a `sockaddr` pointer and its length.
    public func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }

    /// Calls `body` with a writable `sockaddr` pointer and length (for accept, getsockname).
    public mutating func withMutableSockAddr<R>(_ body: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> R) -> R {
        length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        var len = length
        let result = withUnsafeMutableBytes(of: &storage) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &len)
        }
        length = len
        return result
    }
}

/// Syntax checks for the addresses the config names: listeners and hook URLs. The server and
/// hook code parse them again for use; this only decides "valid, and is it local?" with a reason.
enum ConfigAddresses {
    /// Longest `unix:` path: `sizeof(sun_path) - 1` on Linux (unix(7)).
    static let maxUnixPathBytes = 107

    /// `HOST:PORT` (numeric IPv4 or `localhost`), `[V6]:PORT`, `unix:/path`. Returns whether the
    /// address is local (loopback or unix), or the reason it is invalid.
    static func listen(_ text: String) -> Result<Bool, Invalid> {
        if text.hasPrefix("unix:") { return unixPath(String(text.dropFirst(5))).map { true } }
        let host: String
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return .failure(Invalid("missing `]`")) }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return .failure(Invalid("missing `:PORT` after `]`")) }
            portText = rest.dropFirst()
            guard IPBlock.parseIPv6(host) != nil else { return .failure(Invalid("`\(host)` is not an IPv6 address")) }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return .failure(Invalid("missing `:PORT`")) }
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
            guard host == "localhost" || IPBlock.parseIPv4(Substring(host)) != nil else {
                return .failure(Invalid("host must be a numeric IPv4 address or localhost (IPv6 goes in brackets)"))
            }
        }
        guard port(portText) != nil else { return .failure(Invalid("port must be a number from 0 to 65535")) }
        return .success(isLoopback(host))
    }

    /// `http://HOST[:PORT]/path` with a loopback host, or `unix:/socket/path:/http/path`.
    static func hookURL(_ text: String) -> Result<Void, Invalid> {
        if text.hasPrefix("unix:") {
            let rest = text.dropFirst(5)
            guard let split = rest.firstRange(of: ":/") else {
                return .failure(Invalid("expected `unix:/socket/path:/http/path`"))
            }
            return unixPath(String(rest[..<split.lowerBound]))
        }
        guard text.hasPrefix("http://") else {
            return .failure(Invalid("must be `http://` to a loopback address or `unix:/socket:/path` (https is not supported for local hooks)"))
        }
        let rest = text.dropFirst(7)
        let authority = rest.prefix { $0 != "/" }
        guard authority.count < rest.count else { return .failure(Invalid("missing path after the host")) }
        var host = String(authority)
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return .failure(Invalid("missing `]`")) }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), port(after.dropFirst()) != nil else { return .failure(Invalid("bad port")) }
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard port(authority[authority.index(after: colon)...]) != nil else { return .failure(Invalid("bad port")) }
        }
        guard isLoopback(host) else {
            return .failure(Invalid("hooks may only target loopback addresses (127.0.0.0/8, ::1, localhost) or unix sockets"))
        }
        return .success(())
    }

    struct Invalid: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    private static func unixPath(_ path: String) -> Result<Void, Invalid> {
        guard path.hasPrefix("/") else { return .failure(Invalid("unix socket path must be absolute")) }
        guard path.utf8.count <= maxUnixPathBytes else {
            return .failure(Invalid("unix socket path longer than \(maxUnixPathBytes) bytes"))
        }
        return .success(())
    }

    private static func port(_ text: Substring) -> UInt16? {
        guard !text.isEmpty, text.count <= 5, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt16(text)
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" { return true }
        guard let bytes = IPBlock.parseAddress(host) else { return false }
        return bytes.count == 4 ? bytes[0] == 127 : bytes == Array(repeating: 0, count: 15) + [1]
    }
}

/// Durations such as `"72h"`, `"30m"`, `"10s"`, `"500ms"`, `"1d"`, `"1h30m"`.
enum ConfigDuration {
    /// Milliseconds, or `nil` when the text is not a duration (or overflows).
    static func milliseconds(_ text: String) -> Int64? {
        var total: Int64 = 0
        var rest = text[...]
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count <= 12, let n = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(unit.count)
            let scale: Int64
            switch unit {
            case "ms": scale = 1
            case "s": scale = 1000
            case "m": scale = 60_000
            case "h": scale = 3_600_000
            case "d": scale = 86_400_000
            default: return nil
            }
            let (product, o1) = n.multipliedReportingOverflow(by: scale)
            let (sum, o2) = total.addingReportingOverflow(product)
            if o1 || o2 { return nil }
            total = sum
        }
        return total
    }
}

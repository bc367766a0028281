/// An IP address or CIDR block from the config (`allow_from`, `trusted_proxies`): `203.0.113.7`,
/// `203.0.113.0/24`, `::1`, `2001:db8::/32`. Parsed by hand (pure, no libc), strictly: dotted
/// quads without leading zeros, IPv6 with at most one `::`, an optional trailing dotted quad,
/// host bits after the prefix must be zero.
public struct IPBlock: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 (IPv6), network order.
    public let address: [UInt8]
    public let prefixLength: Int

    public init?(parsing text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPBlock.parseAddress(String(parts[0])) else { return nil }
        var prefix = address.count * 8
        if parts.count == 2 {
            guard let p = Int(parts[1]), parts[1].allSatisfy(\.isASCII), !parts[1].hasPrefix("+"),
                p >= 0, p <= prefix
            else { return nil }
            prefix = p
        }
        // Host bits must be zero: `10.0.0.1/8` is almost always a typo for a single address.
        for bit in prefix..<(address.count * 8) where address[bit / 8] & (0x80 >> UInt8(bit % 8)) != 0 {
            return nil
        }
        self.address = address
        self.prefixLength = prefix
    }

    /// Whether `address` (4 or 16 bytes) is inside this block. IPv4-mapped IPv6 addresses
    /// (`::ffff:a.b.c.d`) match IPv4 blocks.
    public func contains(_ other: [UInt8]) -> Bool {
        var other = other
        if address.count == 4, other.count == 16, other[0..<10].allSatisfy({ $0 == 0 }), other[10] == 0xFF, other[11] == 0xFF {
            other = Array(other[12...])
        }
        guard other.count == address.count else { return false }
        for bit in 0..<prefixLength where (address[bit / 8] ^ other[bit / 8]) & (0x80 >> UInt8(bit % 8)) != 0 {
            return false
        }
        return true
    }

    public var description: String {
        let text = address.count == 4 ? address.map(String.init).joined(separator: ".") : IPBlock.hex(address)
        return prefixLength == address.count * 8 ? text : "\(text)/\(prefixLength)"
    }

    /// 4 or 16 bytes, or `nil`.
    public static func parseAddress(_ text: String) -> [UInt8]? {
        text.contains(":") ? parseIPv6(text) : parseIPv4(Substring(text))
    }

    static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                part == "0" || !part.hasPrefix("0"), let n = UInt8(part)
            else { return nil }
            out.append(n)
        }
        return out
    }

    static func parseIPv6(_ text: String) -> [UInt8]? {
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        guard let head = groups(halves[0], allowIPv4Tail: halves.count == 1) else { return nil }
        var tail: [UInt8] = []
        if halves.count == 2 {
            guard let t = groups(halves[1], allowIPv4Tail: true) else { return nil }
            tail = t
            guard head.count + tail.count <= 14 else { return nil }
        } else {
            guard head.count == 16 else { return nil }
        }
        return head + Array(repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    /// `a:b:c` (hex groups), optionally ending with a dotted quad; empty text is no groups.
    private static func groups(_ text: String, allowIPv4Tail: Bool) -> [UInt8]? {
        if text.isEmpty { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var out: [UInt8] = []
        for (i, part) in parts.enumerated() {
            if i == parts.count - 1, allowIPv4Tail, part.contains(".") {
                guard let v4 = parseIPv4(part) else { return nil }
                out += v4
                continue
            }
            guard !part.isEmpty, part.count <= 4, let n = UInt16(part, radix: 16), !part.hasPrefix("+") else { return nil }
            out += [UInt8(n >> 8), UInt8(n & 0xFF)]
        }
        return out.count <= 16 ? out : nil
    }

    /// RFC 5952 text: lowercase hex, the longest run of two or more zero groups as `::`.
    private static func hex(_ bytes: [UInt8]) -> String {
        let groups = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
        var best = (start: -1, count: 0)
        var i = 0
        while i < 8 {
            guard groups[i] == 0 else {
                i += 1
                continue
            }
            var j = i
            while j < 8 && groups[j] == 0 { j += 1 }
            if j - i > best.count { best = (i, j - i) }
            i = j
        }
        let text = groups.map { String($0, radix: 16) }
        guard best.count >= 2 else { return text.joined(separator: ":") }
        let head = text[0..<best.start].joined(separator: ":")
        let tail = text[(best.start + best.count)...].joined(separator: ":")
        return head + "::" + tail
    }
}

extension String {
    /// `components(separatedBy:)` without Foundation, for a non-empty separator.
    func components(separatedBy separator: String) -> [String] {
        var out: [String] = []
        var rest = self[...]
        while let r = rest.firstRange(of: separator) {
            out.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        out.append(String(rest))
        return out
    }
}

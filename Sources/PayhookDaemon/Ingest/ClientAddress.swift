import PayhookCore

/// Who the client is, for `allow_from`: the peer itself, unless the peer is a trusted proxy.
///
/// Behind a trusted proxy, `X-Real-IP` (what the shipped nginx block sets) wins; otherwise
/// `X-Forwarded-For` is read from the right, skipping trusted proxies, and the first address that
/// is not one of ours is the client (entries further left were written by the client itself and
/// prove nothing). A unix-socket peer is a local process reachable only through file permissions,
/// so it is treated as a trusted proxy.
///
/// A field sent on several lines is read as the lines combined with ", " in order (RFC 9110
/// section 5.3), so a proxy that appends its own `X-Forwarded-For` line is read from its line,
/// not from the client's first one. `X-Real-IP` holds one address: sent twice it combines into a
/// list, which is not an address, so it is not believed (as any invalid value) and
/// `X-Forwarded-For`, then the peer, decide.
enum ClientAddress {
    static func resolve(peer: String, headers: [(name: String, value: String)], trusted: [IPBlock]) -> String {
        guard isTrusted(peer, trusted) else { return peer }
        if let real = combined("x-real-ip", headers)?.trimmingSpaces, IPBlock.parseAddress(real) != nil {
            return real
        }
        if let forwarded = combined("x-forwarded-for", headers) {
            let hops = forwarded.split(separator: ",").map { String($0).trimmingSpaces }
            for hop in hops.reversed() {
                guard IPBlock.parseAddress(hop) != nil else { return peer }
                if !isTrusted(hop, trusted) { return hop }
            }
        }
        return peer
    }

    static func isTrusted(_ address: String, _ trusted: [IPBlock]) -> Bool {
        if address == "unix" { return true }
        guard let bytes = IPBlock.parseAddress(address) else { return false }
        return trusted.contains { $0.contains(bytes) }
    }

    /// Whether `client` is allowed by `allowFrom` (empty: everyone).
    static func allowed(_ client: String, by allowFrom: [IPBlock]) -> Bool {
        if allowFrom.isEmpty { return true }
        guard let bytes = IPBlock.parseAddress(client) else { return false }
        return allowFrom.contains { $0.contains(bytes) }
    }

    /// Every line of field `name` (lowercase) joined with ", " in arrival order; nil when absent.
    static func combined(_ name: String, _ headers: [(name: String, value: String)]) -> String? {
        var lines: [String] = []
        for field in headers where field.name.lowercased() == name { lines.append(field.value) }
        return lines.isEmpty ? nil : lines.joined(separator: ", ")
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (HTTP's OWS).
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}

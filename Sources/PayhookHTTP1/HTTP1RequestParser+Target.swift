// The request-target (RFC 9112 §3.2) and the Host value (RFC 9110 §7.2, RFC 3986 §3.2.2).

extension HTTP1RequestParser {
    /// Origin-form (`/path?query`), absolute-form (`http://host/path?query`) or asterisk-form;
    /// authority-form and anything else is refused.
    /// `[start, plainEnd)` holds only `isPlainTargetChar` bytes.
    /// Inlined for its most common case, a plain origin-form target (the call cost as much).
    @inline(__always)
    mutating func target(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, plainEnd: Int) -> HTTP1ParseError? {
        if plainEnd == end && bytes[start] == UInt8(ascii: "/") {
            // Nothing but pchar and "/": a path without query, already checked.
            head.target = start..<end
            head.targetForm = .origin
            head.path = start..<end
            head.query = nil
            return nil
        }
        return otherTarget(bytes, start, end)
    }

    /// `target` but for a plain origin-form one.
    mutating func otherTarget(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> HTTP1ParseError? {
        head.target = start..<end
        let first = bytes[start]
        if first == UInt8(ascii: "/") {
            head.targetForm = .origin
            return pathAndQuery(bytes, start, end)
        }
        if first == UInt8(ascii: "*") && end &- start == 1 {
            head.targetForm = .asterisk
            head.path = start..<end
            return nil
        }
        let schemeEnd: Int
        if HTTP1Bytes.hasPrefix(bytes, start, end, "http://", ignoringCase: true) {
            schemeEnd = start &+ 7
        } else if HTTP1Bytes.hasPrefix(bytes, start, end, "https://", ignoringCase: true) {
            schemeEnd = start &+ 8
        } else {
            return HTTP1ParseError(.invalidTarget, offset: start)
        }
        var authorityEnd = schemeEnd
        while authorityEnd < end && bytes[authorityEnd] != UInt8(ascii: "/") && bytes[authorityEnd] != UInt8(ascii: "?") {
            authorityEnd &+= 1
        }
        if let bad = Self.hostError(bytes, schemeEnd, authorityEnd) {
            return HTTP1ParseError(.invalidTarget, offset: bad)
        }
        head.targetForm = .absolute
        head.authority = schemeEnd..<authorityEnd
        return pathAndQuery(bytes, authorityEnd, end)
    }

    /// Checks pchar / "/" / "?" / pct-encoded (RFC 3986 §3.3-3.4); a fragment, a raw byte outside
    /// those, or an escaped control character (`%00`, `%0d%0a`: smuggled into logs or headers
    /// downstream) is refused.
    mutating func pathAndQuery(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> HTTP1ParseError? {
        var queryStart: Int? = nil
        var i = start
        while i < end {
            let b = bytes[i]
            if HTTP1ByteClass.isPlainTargetChar(b) {
                i &+= 1
                continue
            }
            if b == UInt8(ascii: "%") {
                guard i &+ 2 < end, let high = HTTP1ByteClass.hexValue(bytes[i &+ 1]),
                    let low = HTTP1ByteClass.hexValue(bytes[i &+ 2])
                else { return HTTP1ParseError(.invalidTarget, offset: i) }
                let decoded = high << 4 | low
                if decoded < 0x20 || decoded == 0x7F { return HTTP1ParseError(.invalidTarget, offset: i) }
                i &+= 3
                continue
            }
            if b == UInt8(ascii: "?") && queryStart == nil {
                queryStart = i
            } else if b == UInt8(ascii: "#") {
                return HTTP1ParseError(.fragmentInTarget, offset: i)
            } else if !HTTP1ByteClass.isTargetChar(b) {
                return HTTP1ParseError(.invalidTarget, offset: i)
            }
            i &+= 1
        }
        head.path = start..<(queryStart ?? end)
        head.query = queryStart.map { ($0 &+ 1)..<end }
        return nil
    }

    /// The offset of the first byte that makes `[start, end)` no `uri-host [ ":" port ]`, or nil.
    /// Empty hosts, userinfo (`@`), paths and comma-separated lists are refused.
    /// Inlined (`@inline(always)`): it checks the Host of every request.
    @inline(always)
    static func hostError(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Int? {
        if start == end { return start }
        var i = start
        if bytes[i] == UInt8(ascii: "[") {
            // IP-literal: hex digits, ":" and "." (IPv6, IPv4-mapped) up to "]".
            i &+= 1
            while i < end && (HTTP1ByteClass.hexValue(bytes[i]) != nil || bytes[i] == UInt8(ascii: ":") || bytes[i] == UInt8(ascii: ".")) {
                i &+= 1
            }
            if i == end || bytes[i] != UInt8(ascii: "]") || i == start &+ 1 { return i }
            i &+= 1
        } else {
            while i < end && HTTP1ByteClass.isHostCharByTable(bytes[i]) { i &+= 1 }  // ":" is no host char
            if i == start { return i }
        }
        if i == end { return nil }
        if bytes[i] != UInt8(ascii: ":") { return i }
        i &+= 1
        // The port in one word (a third of the byte loop's cost): a Host value or an authority
        // is followed by more of its line, so the word may read past it.
        if let base = bytes.baseAddress { i = HTTP1ByteClass.indexAfterDigits(base, from: i, to: end, limit: bytes.count) }
        while i < end {
            if bytes[i] < UInt8(ascii: "0") || bytes[i] > UInt8(ascii: "9") { return i }
            i &+= 1
        }
        return nil
    }
}

// Field lines of a response head and trailer section, and the end of the head (framing).

extension HTTP1ResponseParser {
    /// `field-name ":" OWS field-value OWS` (RFC 9112 §5). `interpret`: a head field (framing,
    /// Connection, Retry-After are read); trailers are only checked.
    mutating func fieldLine(interpret: Bool) {
        let l = line
        guard l[0] != 0x20 && l[0] != 0x09 else { return fail(.obsFold) }
        guard let colon = l.firstIndex(of: 0x3A) else { return fail(.missingColon) }
        guard colon > 0 else { return fail(.invalidFieldName) }
        if l[colon - 1] == 0x20 || l[colon - 1] == 0x09 { return fail(.whitespaceBeforeColon) }
        guard l[0..<colon].allSatisfy(HTTP1ByteClass.isToken) else { return fail(.invalidFieldName) }
        var start = colon + 1
        var end = l.count
        while start < end && HTTP1ByteClass.isOWS(l[start]) { start += 1 }
        while end > start && HTTP1ByteClass.isOWS(l[end - 1]) { end -= 1 }
        let name = l[0..<colon]
        guard l[start..<end].allSatisfy(HTTP1ByteClass.isFieldValueByte) else {
            return fail(.invalidFieldValue, field: String(decoding: name, as: UTF8.self).lowercased())
        }
        guard interpret else { return }
        let value = l[start..<end]
        // Compared as bytes, without a String per field: every delivery's answer comes here.
        switch Self.interpreted.first(where: { Self.equalsIgnoringCase(name, $0) }) ?? "" {
        case "content-length": contentLengthField(value)
        case "transfer-encoding":
            // Only `chunked`, once: a receiver of ours has no reason to send anything else.
            guard !chunked, Self.equalsIgnoringCase(value, "chunked") else {
                return fail(.unsupportedTransferCoding, field: "transfer-encoding")
            }
            chunked = true
        case "connection":
            for token in value.split(separator: 0x2C) {
                let t = String(decoding: token, as: UTF8.self).trimmingOWS().lowercased()
                if t == "close" { connectionClose = true }
                if t == "keep-alive" { connectionKeepAlive = true }
            }
        case "retry-after": response.retryAfter = HTTP1RetryAfter(value)
        default: break
        }
    }

    /// The head fields read (lower case); the others are only checked.
    static let interpreted = ["content-length", "transfer-encoding", "connection", "retry-after"]

    /// Whether `bytes` spell `lower` in any ASCII case (field names are case-insensitive, RFC 9110 §5.1).
    static func equalsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ lower: String) -> Bool {
        bytes.count == lower.utf8.count
            && zip(bytes, lower.utf8).allSatisfy { b, l in b == l || (b >= 0x41 && b <= 0x5A && b | 0x20 == l) }
    }

    /// `1*DIGIT`, once; at most 19 digits (a u64 beyond that would overflow; no body is that big).
    mutating func contentLengthField(_ value: ArraySlice<UInt8>) {
        guard contentLength == nil else { return fail(.duplicateContentLength, field: "content-length") }
        guard !value.isEmpty, value.count <= 19, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return fail(.invalidContentLength, field: "content-length")
        }
        contentLength = value.reduce(0) { $0 * 10 + UInt64($1 - 0x30) }
    }

    /// The empty line after the fields: skip an interim response, or choose the body framing.
    mutating func headEnded() {
        if (100...199).contains(response.status) {
            guard response.status != 101 else { return fail(.switchingProtocols) }
            interimCount += 1
            guard interimCount <= limits.maxInterimResponses else { return fail(.tooManyInterimResponses) }
            let (offset, interim) = (self.offset, interimCount)
            self = HTTP1ResponseParser(limits: limits)
            self.offset = offset
            self.interimCount = interim
            return
        }
        guard !(chunked && contentLength != nil) else { return fail(.contentLengthWithTransferEncoding) }
        response.keepAlive = response.minorVersion == 1 ? !connectionClose : connectionKeepAlive && !connectionClose
        headerBytes = 0
        if response.status == 204 || response.status == 304 {
            state = .done
        } else if chunked {
            state = .chunkLine
        } else if let contentLength {
            remaining = contentLength
            state = contentLength == 0 ? .done : .fixedBody
        } else {
            response.keepAlive = false  // the close ends the body (RFC 9112 §6.3, rule 8)
            state = .closeBody
        }
    }
}

extension String {
    func trimmingOWS() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return String(s)
    }
}

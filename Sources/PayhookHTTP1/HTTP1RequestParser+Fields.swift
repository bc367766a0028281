// Field lines (RFC 9112 §5, RFC 9110 §5.5) and what the framing and connection fields say.

private let colon = UInt8(ascii: ":")
private let cr: UInt8 = 0x0D

extension HTTP1RequestParser {
    /// `field-name ":" OWS field-value OWS` on the complete line `[start, end)`; `nameEnd` is
    /// the colon when line scanning already found the name (see `scanFieldName`), else -1.
    /// Inlined into its one caller, once per field line.
    @inline(always)
    mutating func fieldLine(
        _ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, hasCR: Bool, badByte: Int, trailer: Bool,
        nameEnd: Int = -1
    ) -> HTTP1ParseError? {
        let limit = trailer ? limits.maxTrailerBytes : limits.maxHeaderBytes
        if lineStart &- fieldsStart > limit {
            return HTTP1ParseError(trailer ? .trailersTooLarge : .headerTooLarge, offset: fieldsStart &+ limit)
        }
        if !trailer && fieldCount >= limits.maxHeaderCount {
            return HTTP1ParseError(.tooManyHeaders, offset: start)
        }
        if !hasCR { return HTTP1ParseError(.bareLF, offset: end) }
        if HTTP1ByteClass.isOWS(bytes[start]) {
            // A continuation line (obs-fold, RFC 9112 §5.2), or whitespace before the first field
            // (RFC 9112 §2.2): both must be rejected by a server.
            let first = !trailer && start == fieldsStart
            return HTTP1ParseError(first ? .whitespaceBeforeFirstField : .obsFold, offset: start)
        }
        var i = nameEnd
        if i < 0 {
            i = start
            while i < end && HTTP1ByteClass.isTokenByTable(bytes[i]) { i &+= 1 }
        }
        if i == end { return HTTP1ParseError(.missingColon, offset: end) }
        let b = bytes[i]
        if b != colon {
            let kind: HTTP1ParseError.Kind =
                HTTP1ByteClass.isOWS(b) ? .whitespaceBeforeColon : b == cr ? .bareCR : .invalidFieldName
            return HTTP1ParseError(kind, offset: i)
        }
        if i == start { return HTTP1ParseError(.emptyFieldName, offset: i) }
        let name = start..<i
        // Line scanning found the first byte no line may hold; one in the name stopped the loop above.
        if badByte > i { return HTTP1ParseError(bytes[badByte] == cr ? .bareCR : .invalidFieldValue, offset: badByte) }
        var valueStart = i &+ 1
        var valueEnd = end
        while valueStart < valueEnd && HTTP1ByteClass.isOWS(bytes[valueStart]) { valueStart &+= 1 }
        while valueEnd > valueStart && HTTP1ByteClass.isOWS(bytes[valueEnd &- 1]) { valueEnd &-= 1 }
        let field = HTTP1Field(name: name, value: valueStart..<valueEnd)
        if trailer { return trailerField(bytes, field) }
        if fieldCount < fieldStorage.count { fieldStorage[fieldCount] = field } else { fieldStorage.append(field) }
        fieldCount &+= 1
        fieldNameBits |= Self.nameBit(count: name.count, first: bytes[name.lowerBound])
        // Only names with the length and first letter of one knownField handles need a closer
        // look (most do not); filtering here spares an unpredictable jump on the name's length.
        let knownFirstLetters: StaticString = "----h-eu--c-c-c--t"  // at index = name length
        if name.count >= knownFirstLetters.utf8CodeUnitCount
            || knownFirstLetters.utf8Start[name.count] != bytes[name.lowerBound] | 0x20
        {
            return nil
        }
        // Host, in every HTTP/1.1 request, without the call and the jump on the name's length.
        if name.count == 4 && Self.isHostName(bytes, name.lowerBound) { return hostField(bytes, field) }
        return knownField(bytes, field, rawValue: (i &+ 1)..<end)
    }

    /// Inlined (`@inline(always)`, as `fieldLine`): the Host line of every request.
    @inline(always)
    mutating func hostField(_ bytes: UnsafeRawBufferPointer, _ field: HTTP1Field) -> HTTP1ParseError? {
        if head.host != nil { return HTTP1ParseError(.duplicateHost, offset: field.name.lowerBound, field: "host") }
        if let bad = Self.hostError(bytes, field.value.lowerBound, field.value.upperBound) {
            return HTTP1ParseError(.invalidHost, offset: bad, field: "host")
        }
        head.host = field.value
        return nil
    }

    /// One bit per (length, first letter folded) of a field name: lookups of a name no field can
    /// match (most, as most requests lack most fields) are answered without a pass over `fields`.
    @usableFromInline @inline(__always)
    static func nameBit(count: Int, first: UInt8) -> UInt64 {
        1 << UInt64((count &* 7 &+ Int(first | 0x20)) & 63)
    }

    /// Trailers are checked and dropped; fields that frame, route or authenticate a request are
    /// refused there, since an intermediary could merge them into the head (RFC 9110 §6.5.1).
    func trailerField(_ bytes: UnsafeRawBufferPointer, _ field: HTTP1Field) -> HTTP1ParseError? {
        let forbidden: Bool
        switch field.name.count {
        case 2: forbidden = HTTP1.equalsIgnoringCase(field.name, in: bytes, "te")
        case 4: forbidden = HTTP1.equalsIgnoringCase(field.name, in: bytes, "host")
        case 6:
            forbidden =
                HTTP1.equalsIgnoringCase(field.name, in: bytes, "expect")
                || HTTP1.equalsIgnoringCase(field.name, in: bytes, "cookie")
        case 7:
            forbidden =
                HTTP1.equalsIgnoringCase(field.name, in: bytes, "trailer")
                || HTTP1.equalsIgnoringCase(field.name, in: bytes, "upgrade")
        case 10: forbidden = HTTP1.equalsIgnoringCase(field.name, in: bytes, "connection")
        case 12: forbidden = HTTP1.equalsIgnoringCase(field.name, in: bytes, "content-type")
        case 13: forbidden = HTTP1.equalsIgnoringCase(field.name, in: bytes, "authorization")
        case 14: forbidden = HTTP1.equalsIgnoringCase(field.name, in: bytes, "content-length")
        case 16: forbidden = HTTP1.equalsIgnoringCase(field.name, in: bytes, "content-encoding")
        case 17: forbidden = HTTP1.equalsIgnoringCase(field.name, in: bytes, "transfer-encoding")
        default: forbidden = false
        }
        if !forbidden { return nil }
        return HTTP1ParseError(.forbiddenTrailerField, offset: field.name.lowerBound, field: HTTP1.string(field.name, in: bytes).lowercased())
    }

    /// Records what Host, Content-Length, Transfer-Encoding, Connection, Expect, Content-Type
    /// and Upgrade say; the framing decision waits for the whole head (`finishHead`).
    mutating func knownField(_ bytes: UnsafeRawBufferPointer, _ field: HTTP1Field, rawValue: Range<Int>) -> HTTP1ParseError? {
        let name = field.name
        let line = name.lowerBound
        switch name.count {
        case 4 where Self.isHostName(bytes, name.lowerBound):
            return hostField(bytes, field)
        case 14 where HTTP1.equalsIgnoringCase(name, in: bytes, "content-length"):
            if seen.contentLength != nil {
                return HTTP1ParseError(.duplicateContentLength, offset: line, field: "content-length")
            }
            if let bad = framingWhitespaceError(bytes, rawValue, field.value) ?? Self.decimal(bytes, field.value, into: &seen.contentLength) {
                return HTTP1ParseError(.invalidContentLength, offset: bad, field: "content-length")
            }
            seen.contentLengthLine = line
        case 17 where HTTP1.equalsIgnoringCase(name, in: bytes, "transfer-encoding"):
            if seen.transferEncodingLine != nil {
                return HTTP1ParseError(.duplicateTransferEncoding, offset: line, field: "transfer-encoding")
            }
            if let bad = framingWhitespaceError(bytes, rawValue, field.value) ?? transferCodings(bytes, field.value) {
                return HTTP1ParseError(.invalidTransferEncoding, offset: bad, field: "transfer-encoding")
            }
            seen.transferEncodingLine = line
        case 10 where HTTP1.equalsIgnoringCase(name, in: bytes, "connection"):
            connectionOptions(bytes, field.value)
        case 6 where HTTP1.equalsIgnoringCase(name, in: bytes, "expect"):
            if HTTP1.equalsIgnoringCase(field.value, in: bytes, "100-continue") {
                seen.expectContinue = true
            } else if seen.expectOtherLine == nil {
                seen.expectOtherLine = line
            }
        case 12 where HTTP1.equalsIgnoringCase(name, in: bytes, "content-type"):
            if head.contentType != nil {
                return HTTP1ParseError(.duplicateContentType, offset: line, field: "content-type")
            }
            head.contentType = field.value
        case 7 where HTTP1.equalsIgnoringCase(name, in: bytes, "upgrade"):
            head.upgrade = field.value
        default:
            break
        }
        return nil
    }

    /// Whether the four bytes at `start` are "host" in any case: one word compare (all four are
    /// letters, so setting 0x20 folds nothing else onto them) instead of a loop of four.
    @inline(__always)
    static func isHostName(_ bytes: UnsafeRawBufferPointer, _ start: Int) -> Bool {
        let word = bytes.baseAddress!.loadUnaligned(fromByteOffset: start, as: UInt32.self).littleEndian
        return word | 0x2020_2020 == 0x7473_6F68  // "host", little-endian
    }

    /// Framing values allow one SP before them and nothing after, unless
    /// ``HTTP1Leniencies/framingFieldWhitespace`` is set. Returns the offending offset.
    func framingWhitespaceError(_ bytes: UnsafeRawBufferPointer, _ raw: Range<Int>, _ value: Range<Int>) -> Int? {
        if leniencies.contains(.framingFieldWhitespace) { return nil }
        if value.upperBound != raw.upperBound { return value.upperBound }
        let leading = value.lowerBound &- raw.lowerBound
        if leading > 1 || (leading == 1 && bytes[raw.lowerBound] != 0x20) { return raw.lowerBound }
        return nil
    }

    /// `1*DIGIT` without leading zeros (`0` itself excepted), saturating at `Int.max`; returns the
    /// offending offset, or nil with the value stored.
    static func decimal(_ bytes: UnsafeRawBufferPointer, _ value: Range<Int>, into result: inout Int?) -> Int? {
        if value.isEmpty { return value.lowerBound }
        if value.count > 1 && bytes[value.lowerBound] == UInt8(ascii: "0") { return value.lowerBound }
        var n = 0
        for i in value {
            let d = bytes[i] &- UInt8(ascii: "0")
            if d > 9 { return i }
            n = n > (Int.max - 9) / 10 ? Int.max : n &* 10 &+ Int(d)
        }
        result = n
        return nil
    }

    /// `transfer-coding *( OWS "," OWS transfer-coding )` without parameters or empty elements;
    /// records whether `chunked` is present, last and unique, and whether others are present.
    mutating func transferCodings(_ bytes: UnsafeRawBufferPointer, _ value: Range<Int>) -> Int? {
        var i = value.lowerBound
        let end = value.upperBound
        var chunkedSeen = false
        while true {
            let start = i
            while i < end && HTTP1ByteClass.isToken(bytes[i]) { i &+= 1 }
            if i == start { return i }
            if HTTP1.equalsIgnoringCase(start..<i, in: bytes, "chunked") {
                if chunkedSeen { seen.chunkedNotLast = true }
                chunkedSeen = true
                seen.chunkedLast = true
            } else {
                if chunkedSeen { seen.chunkedNotLast = true }
                seen.chunkedLast = false
                seen.unknownCoding = true
            }
            while i < end && HTTP1ByteClass.isOWS(bytes[i]) { i &+= 1 }
            if i == end { return nil }
            if bytes[i] != UInt8(ascii: ",") { return i }
            i &+= 1
            while i < end && HTTP1ByteClass.isOWS(bytes[i]) { i &+= 1 }
        }
    }

    /// `close` and `keep-alive` among the Connection options (RFC 9112 §9.3, §9.6).
    mutating func connectionOptions(_ bytes: UnsafeRawBufferPointer, _ value: Range<Int>) {
        var i = value.lowerBound
        let end = value.upperBound
        while i < end {
            while i < end && (HTTP1ByteClass.isOWS(bytes[i]) || bytes[i] == UInt8(ascii: ",")) { i &+= 1 }
            let start = i
            while i < end && bytes[i] != UInt8(ascii: ",") && !HTTP1ByteClass.isOWS(bytes[i]) { i &+= 1 }
            if HTTP1.equalsIgnoringCase(start..<i, in: bytes, "close") { seen.connectionClose = true }
            if HTTP1.equalsIgnoringCase(start..<i, in: bytes, "keep-alive") { seen.connectionKeepAlive = true }
        }
    }

    /// Decides the framing once every field is known (RFC 9112 §6.1-6.3) and checks Host.
    /// Inlined into its one caller, once per request (`@inline(always)`: the hint alone is not
    /// taken there, `parseLines` being large).
    @inline(always)
    mutating func finishHead(_ bytes: UnsafeRawBufferPointer) -> HTTP1ParseError? {
        let emptyLine = lineStart &- 2
        if head.version == .http11 && head.host == nil {
            return HTTP1ParseError(.missingHost, offset: emptyLine, field: "host")
        }
        if let authority = head.authority, let host = head.host, !Self.sameBytesIgnoringCase(bytes, authority, host) {
            return HTTP1ParseError(.hostMismatch, offset: host.lowerBound, field: "host")
        }
        if let line = seen.transferEncodingLine {
            if head.version == .http10 {
                return HTTP1ParseError(.transferEncodingInHTTP10, offset: line, field: "transfer-encoding")
            }
            if seen.contentLength != nil {
                return HTTP1ParseError(.contentLengthWithTransferEncoding, offset: line, field: "transfer-encoding")
            }
            if seen.chunkedNotLast || (!seen.chunkedLast && !seen.unknownCoding) {
                return HTTP1ParseError(.chunkedNotLast, offset: line, field: "transfer-encoding")
            }
            if seen.unknownCoding {
                return HTTP1ParseError(.unsupportedTransferCoding, offset: line, field: "transfer-encoding")
            }
            head.framing = .chunked
        } else if let length = seen.contentLength {
            head.framing = .contentLength(length)
        }
        if head.method.isBodiless && head.hasBody && !leniencies.contains(.bodyOnBodilessMethod) {
            return HTTP1ParseError(.unexpectedBody, offset: seen.transferEncodingLine ?? seen.contentLengthLine)
        }
        if case .contentLength(let length) = head.framing, length > limits.maxBodyBytes {
            return HTTP1ParseError(.bodyTooLarge, offset: seen.contentLengthLine, field: "content-length")
        }
        bodyBytes = 0
        if head.version == .http11 {
            if let line = seen.expectOtherLine {
                return HTTP1ParseError(.unsupportedExpectation, offset: line, field: "expect")
            }
            head.expectsContinue = seen.expectContinue && head.hasBody
            head.keepAlive = !seen.connectionClose
        } else {
            head.keepAlive = seen.connectionKeepAlive && !seen.connectionClose
        }
        return nil
    }

    static func sameBytesIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ a: Range<Int>, _ b: Range<Int>) -> Bool {
        guard a.count == b.count else { return false }
        for k in 0..<a.count {
            var x = bytes[a.lowerBound &+ k]
            var y = bytes[b.lowerBound &+ k]
            if x >= 0x41 && x <= 0x5A { x |= 0x20 }
            if y >= 0x41 && y <= 0x5A { y |= 0x20 }
            if x != y { return false }
        }
        return true
    }
}

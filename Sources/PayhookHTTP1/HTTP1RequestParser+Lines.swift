// The head and the trailer section are scanned line by line: find the LF (eight bytes at a time),
// then check the complete line once. `scan` remembers where the search stopped, so bytes that
// arrive in pieces are searched once. Checks run in a fixed order, and the few that can fire on
// an incomplete line (method, line length, section size) are monotone, so a request gets the
// same verdict however it is split.

private let cr: UInt8 = 0x0D
private let lf: UInt8 = 0x0A
private let sp: UInt8 = 0x20

extension HTTP1RequestParser {
    /// Which lines `parseLines` is reading: `state` as a plain value, read once per call rather
    /// than switched on per line (`State` holds an error with a String, so it is not trivial).
    enum LineSection { case requestLine, head, trailers }

    mutating func parseLines(_ bytes: UnsafeRawBufferPointer) -> HTTP1ParseResult {
        precondition(bytes.count >= scan, "HTTP1RequestParser: bytes not reported consumed were dropped")
        guard let base = bytes.baseAddress else { return HTTP1ParseResult(event: .needMore, consumed: 0) }
        var section: LineSection
        switch state {
        case .requestLine: section = .requestLine
        case .fieldLines: section = .head
        case .trailers: section = .trailers
        default: preconditionFailure("parseLines in state \(state)")
        }
        if section == .requestLine && scan == 0, let line = plainRequestLine(bytes, base) {
            // What the loop below would find for this line (see `plainRequestLine`), without the
            // search for its end and the second pass over its bytes: a fifth of the parser's
            // instructions on a status query.
            scan = line.end &+ 2
            lineStart = line.end &+ 2
            head.version = .http11
            if let error = requestLineParts(bytes, 0, line.methodEnd, line.targetEnd, plainEnd: line.targetEnd) {
                return fail(error)
            }
            state = .fieldLines
            section = .head
            fieldsStart = lineStart
        }
        while true {
            var nameEnd = -1
            let newline: Int
            if section != .requestLine && scan == lineStart && scan &+ 1 < bytes.count && bytes[scan] == cr
                && bytes[scan &+ 1] == lf
            {
                // The empty line that ends a section, as the searches below would find it (CR
                // is no tchar, and the first control byte) at a tenth of their cost.
                newline = scan &+ 1
            } else {
                if section == .head { nameEnd = scanFieldName(bytes) }
                guard let found = findLineEnd(bytes, base) else {
                    if let error = checkPartialLine(bytes) { return fail(error) }
                    return HTTP1ParseResult(event: .needMore, consumed: 0)
                }
                newline = found
            }
            let hasCR = newline > lineStart && bytes[newline &- 1] == cr
            let start = lineStart
            let end = hasCR ? newline &- 1 : newline
            let bad = badByte
            scan = newline &+ 1
            lineStart = newline &+ 1
            badByte = -1
            if section == .requestLine {
                if start == end && hasCR && start == 0 && leniencies.contains(.leadingEmptyLine) && !skippedEmptyLine {
                    skippedEmptyLine = true
                    continue
                }
                if let error = requestLine(bytes, start, end, hasCR: hasCR) { return fail(error) }
                state = .fieldLines
                section = .head
                fieldsStart = lineStart
                continue
            }
            let trailer = section == .trailers
            if start == end {
                guard hasCR else { return fail(HTTP1ParseError(.bareLF, offset: end)) }
                if trailer { return HTTP1ParseResult(event: .end, consumed: lineStart) }
                if let error = finishHead(bytes) { return fail(error) }
                head.length = lineStart
                switch head.framing {
                case .contentLength(let n) where n > 0: state = .fixedBody(remaining: n)
                case .chunked: state = .chunkLine(.size)
                default: state = .complete
                }
                return HTTP1ParseResult(event: .head, consumed: lineStart)
            }
            if let error = fieldLine(bytes, start, end, hasCR: hasCR, badByte: bad, trailer: trailer, nameEnd: nameEnd) {
                return fail(error)
            }
        }
    }

    /// On a fresh field line of the head (the caller knows it is one), the offset of the ":" ending a non-empty token, with
    /// `scan` moved past it; else -1. The name's bytes are tchars, so no control byte is skipped:
    /// `findLineEnd` then finds the same things from the colon, and `fieldLine` reuses the name.
    @inline(__always)
    mutating func scanFieldName(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard scan == lineStart else { return -1 }
        let count = bytes.count
        guard let base = bytes.baseAddress else { return -1 }
        var i = HTTP1ByteClass.indexAfterLetters(base, from: scan, to: count)
        while i < count && HTTP1ByteClass.isTokenByTable(bytes[i]) { i &+= 1 }
        guard i < count, i > scan, bytes[i] == UInt8(ascii: ":") else { return -1 }
        scan = i &+ 1
        return i
    }

    /// Finds the LF that ends the current line, searching from `scan` for control bytes (one
    /// pass finds both the line end and the bytes no field line may hold). The first control
    /// byte other than HTAB, or a CR not followed by LF, is remembered in `badByte`. Returns nil
    /// when the line is incomplete, with `scan` set where the search resumes.
    /// Inlined: it runs once per line, and the call cost a sixth of it.
    @inline(__always)
    mutating func findLineEnd(_ bytes: UnsafeRawBufferPointer, _ base: UnsafeRawPointer) -> Int? {
        let count = bytes.count
        while let p = HTTP1ByteClass.indexOfControl(base, from: scan, to: count) {
            let b = bytes[p]
            if b == lf { return p }
            if b == cr {
                if p &+ 1 == count {
                    scan = p  // the LF may come with the next bytes
                    return nil
                }
                if bytes[p &+ 1] == lf { return p &+ 1 }
            }
            if b != 0x09 && badByte < 0 { badByte = p }
            scan = p &+ 1
        }
        scan = count
        return nil
    }

    /// The checks that can already fail on the incomplete line `lineStart..<bytes.count`.
    func checkPartialLine(_ bytes: UnsafeRawBufferPointer) -> HTTP1ParseError? {
        let count = bytes.count
        switch state {
        case .requestLine:
            if let error = checkMethod(bytes, lineStart, count, complete: false) { return error }
            let pendingCR = count > lineStart && bytes[count &- 1] == cr ? 1 : 0
            if count &- lineStart &- pendingCR > limits.maxRequestLineBytes {
                return HTTP1ParseError(.requestLineTooLong, offset: lineStart &+ limits.maxRequestLineBytes)
            }
        case .fieldLines:
            // A field line still to complete adds at least its LF; an empty line adds nothing.
            if count &- fieldsStart > limits.maxHeaderBytes &+ 1 {
                return HTTP1ParseError(.headerTooLarge, offset: fieldsStart &+ limits.maxHeaderBytes)
            }
        case .trailers:
            if count &- fieldsStart > limits.maxTrailerBytes &+ 1 {
                return HTTP1ParseError(.trailersTooLarge, offset: fieldsStart &+ limits.maxTrailerBytes)
            }
        default:
            break
        }
        return nil
    }

    /// The method token at the start of `[start, end)`: tchars, at most `maxMethodBytes`, then SP.
    /// On an incomplete line only what is already decided fails.
    func checkMethod(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, complete: Bool) -> HTTP1ParseError? {
        checkMethod(bytes, start, Self.tokenEnd(bytes, start, end), end, complete: complete)
    }

    /// The end of the tchars that start `[start, end)`.
    @inline(__always)
    static func tokenEnd(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Int {
        var i = start
        while i < end && HTTP1ByteClass.isTokenByTable(bytes[i]) { i &+= 1 }
        return i
    }

    /// `checkMethod` with the method's tchars, `[start, i)`, already found.
    @inline(__always)
    func checkMethod(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ i: Int, _ end: Int, complete: Bool) -> HTTP1ParseError? {
        if i &- start > limits.maxMethodBytes {
            return HTTP1ParseError(.methodTooLong, offset: start &+ limits.maxMethodBytes)
        }
        if i == end {
            if !complete { return nil }
            return HTTP1ParseError(i == start ? .leadingEmptyLine : .invalidRequestLine, offset: i)
        }
        // A CR as the last byte received may still be the start of the line's CRLF.
        if !complete && bytes[i] == cr && i &+ 1 == end { return nil }
        if i == start || bytes[i] != sp { return HTTP1ParseError(.invalidMethod, offset: i) }
        return nil
    }

    /// `method SP request-target SP HTTP-version` (RFC 9112 §3), single spaces only.
    mutating func requestLine(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, hasCR: Bool) -> HTTP1ParseError? {
        // The method's end is found once: checked, it is the SP.
        let methodEnd = Self.tokenEnd(bytes, start, end)
        if let error = checkMethod(bytes, start, methodEnd, end, complete: true) { return error }
        if end &- start > limits.maxRequestLineBytes {
            return HTTP1ParseError(.requestLineTooLong, offset: start &+ limits.maxRequestLineBytes)
        }
        if !hasCR { return HTTP1ParseError(.bareLF, offset: end) }
        let targetStart = methodEnd &+ 1
        // Plain bytes first (most targets hold nothing else): `plainEnd` tells `target` how far
        // the target needs no second look.
        let base = bytes.baseAddress!  // not empty: it holds a complete line
        var targetEnd = HTTP1ByteClass.indexAfterPathBytes(base, from: targetStart, to: end)
        while targetEnd < end && HTTP1ByteClass.isPlainTargetCharByTable(bytes[targetEnd]) { targetEnd &+= 1 }
        let plainEnd = targetEnd
        while targetEnd < end && bytes[targetEnd] != sp { targetEnd &+= 1 }
        // No second SP: an HTTP/0.9 request line ("GET /"), or no target at all.
        if targetEnd == end || targetEnd == targetStart {
            return HTTP1ParseError(.invalidRequestLine, offset: targetEnd)
        }
        if let error = version(bytes, targetEnd &+ 1, end) { return error }
        return requestLineParts(bytes, start, methodEnd, targetEnd, plainEnd: plainEnd)
    }

    /// The method and the target of a request line whose shape and version are checked.
    @inline(__always)
    mutating func requestLineParts(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ methodEnd: Int, _ targetEnd: Int, plainEnd: Int)
        -> HTTP1ParseError?
    {
        let targetStart = methodEnd &+ 1
        head.methodBytes = start..<methodEnd
        head.method = Self.method(bytes, start, methodEnd)
        if let error = target(bytes, targetStart, targetEnd, plainEnd: plainEnd) { return error }
        if head.targetForm == .asterisk && head.method != .options {
            return HTTP1ParseError(.asteriskFormNotOptions, offset: targetStart)
        }
        return nil
    }

    /// The request line at the start of `bytes` when it is whole and plain: tchars within
    /// `maxMethodBytes`, SP, `isPlainTargetChar` bytes, SP, `HTTP/1.1`, CRLF, within
    /// `maxRequestLineBytes` (most request lines). Such a line holds no control byte before its
    /// CR, so `findLineEnd` would end it at that CRLF, and `requestLine` would find the same
    /// method and target ends and pass every check before `requestLineParts`: the verdict is
    /// the one the line-by-line path gives. Else nil (and nothing changed): that path takes the
    /// line. Tried on a request's first call only, so a line that comes in pieces costs one
    /// extra pass over its first piece at most.
    @inline(__always)
    func plainRequestLine(_ bytes: UnsafeRawBufferPointer, _ base: UnsafeRawPointer) -> (methodEnd: Int, targetEnd: Int, end: Int)? {
        let count = bytes.count
        let methodEnd = Self.tokenEnd(bytes, 0, min(count, limits.maxMethodBytes &+ 1))
        guard methodEnd > 0, methodEnd <= limits.maxMethodBytes, methodEnd < count, bytes[methodEnd] == sp else { return nil }
        let targetStart = methodEnd &+ 1
        var targetEnd = HTTP1ByteClass.indexAfterPathBytes(base, from: targetStart, to: count)
        while targetEnd < count && HTTP1ByteClass.isPlainTargetCharByTable(bytes[targetEnd]) { targetEnd &+= 1 }
        let end = targetEnd &+ 9  // SP and "HTTP/1.1"
        guard targetEnd > targetStart, end &+ 2 <= count, end <= limits.maxRequestLineBytes, bytes[targetEnd] == sp,
            base.loadUnaligned(fromByteOffset: targetEnd &+ 1, as: UInt64.self).littleEndian == Self.http11,
            bytes[end] == cr, bytes[end &+ 1] == lf
        else { return nil }
        return (methodEnd, targetEnd, end)
    }

    /// "HTTP/1.1" as a little-endian word (computed: a stored static is a lazy global).
    @inline(__always) static var http11: UInt64 { 0x312E_312F_5054_5448 }

    /// `HTTP/` DIGIT `.` DIGIT; 1.0 and 1.1 are served, other well-formed versions get 505.
    mutating func version(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> HTTP1ParseError? {
        let length = end &- start
        // "HTTP/1.1" by one word compare: all but a few requests, at a fifth of the checks below.
        if length == 8 && bytes.baseAddress!.loadUnaligned(fromByteOffset: start, as: UInt64.self).littleEndian == Self.http11 {
            head.version = .http11
            return nil
        }
        let prefix: StaticString = "HTTP/"
        guard length == 8 || length == 6, HTTP1Bytes.hasPrefix(bytes, start, end, prefix, ignoringCase: false) else {
            return HTTP1ParseError(.invalidVersion, offset: start)
        }
        let major = bytes[start &+ 5]
        if length == 6 {
            // "HTTP/2" and "HTTP/3" name real protocols this parser does not speak.
            if major == UInt8(ascii: "2") || major == UInt8(ascii: "3") {
                return HTTP1ParseError(.unsupportedVersion, offset: start)
            }
            return HTTP1ParseError(.invalidVersion, offset: start)
        }
        let minor = bytes[start &+ 7]
        let isDigit = { (b: UInt8) in b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        guard isDigit(major), bytes[start &+ 6] == UInt8(ascii: "."), isDigit(minor) else {
            return HTTP1ParseError(.invalidVersion, offset: start)
        }
        switch (major, minor) {
        case (UInt8(ascii: "1"), UInt8(ascii: "1")): head.version = .http11
        case (UInt8(ascii: "1"), UInt8(ascii: "0")): head.version = .http10
        default: return HTTP1ParseError(.unsupportedVersion, offset: start)
        }
        return nil
    }

    /// Methods are case-sensitive (RFC 9110 §9.1): `get` is `.other`.
    /// GET, the method of most requests, by one compare inlined in the caller (SP and more
    /// follow the method on its line); the others by `otherMethod`.
    @inline(__always)
    static func method(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> HTTP1Method {
        if end &- start == 3 && bytes.baseAddress!.loadUnaligned(fromByteOffset: start, as: UInt32.self).littleEndian == 0x2054_4547 {
            return .get
        }
        return otherMethod(bytes, start, end)
    }

    static func otherMethod(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> HTTP1Method {
        @inline(__always) func isMethod(_ name: StaticString) -> Bool {
            HTTP1Bytes.hasPrefix(bytes, start, end, name, ignoringCase: false)
        }
        switch end &- start {
        case 3: return isMethod("GET") ? .get : isMethod("PUT") ? .put : .other
        case 4: return isMethod("POST") ? .post : isMethod("HEAD") ? .head : .other
        case 5: return isMethod("PATCH") ? .patch : isMethod("TRACE") ? .trace : .other
        case 6: return isMethod("DELETE") ? .delete : .other
        case 7: return isMethod("OPTIONS") ? .options : isMethod("CONNECT") ? .connect : .other
        default: return .other
        }
    }
}

/// Byte comparisons against ASCII literals.
enum HTTP1Bytes {
    /// Whether `bytes[start..<end]` begins with `literal` (a lowercase literal when ignoring case).
    @inline(__always)
    static func hasPrefix(
        _ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ literal: StaticString, ignoringCase: Bool
    ) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard end &- start >= count else { return false }
        let want = literal.utf8Start
        for i in 0..<count {
            var b = bytes[start &+ i]
            if ignoringCase && b >= 0x41 && b <= 0x5A { b |= 0x20 }
            if b != want[i] { return false }
        }
        return true
    }
}

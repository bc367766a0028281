// A strict, bounded, incremental HTTP/1.1 response parser (RFC 9112) for the answers of hook
// receivers. A value-type state machine like `HTTP1RequestParser`, with a simpler contract: the
// caller passes whatever arrived; the parser uses every byte (keeping only the current line and
// the first `maxKeptBodyBytes` of the body) until the final response ends, and says how many
// bytes that took. The rest (nothing, for a well-behaved receiver) is not part of it.
//
//     var parser = HTTP1ResponseParser()
//     let result = received.withUnsafeBytes { parser.parse($0) }
//     switch result.event {
//     case .needMore: break                                  // read more (the caller's timer runs)
//     case .complete(let response): finish(response)         // 2xx delivered; keepAlive: reuse
//     case .error(let error): fail(error); close()
//     }
//     on EOF: parser.finish()                                // ends a close-delimited body
//
// Framing for a response to POST (RFC 9112 §6.3): 1xx are skipped (101 is an error: payhookd
// never asks to upgrade), 204 and 304 have no body, then chunked, then Content-Length, else
// the body runs to the close. Strict as the request parser: bare CR or LF, obs-fold, space
// before the colon, duplicate Content-Length, Content-Length with Transfer-Encoding and any
// transfer coding but `chunked` are errors. A 1 GB Content-Length is read and dropped, never
// buffered: memory is bounded by the limits, time by the caller.

/// An event and the bytes, from the front of the buffer given, that belonged to the response.
public struct HTTP1ResponseResult: Sendable, Equatable {
    public var event: HTTP1ResponseEvent
    public var consumed: Int

    public init(event: HTTP1ResponseEvent, consumed: Int) {
        self.event = event
        self.consumed = consumed
    }
}

/// The incremental, strict HTTP/1.1 response parser (see the file header).
public struct HTTP1ResponseParser: Sendable {
    enum State: Sendable, Equatable {
        case statusLine, fieldLine, fixedBody, closeBody, chunkLine, chunkData, chunkDataCR, chunkDataLF, trailerLine
        case done
        case failed(HTTP1ResponseError)
    }

    public let limits: HTTP1ResponseLimits
    var state = State.statusLine
    /// The line being read (status, field, chunk-size or trailer line), without CRLF.
    var line: [UInt8] = []
    var sawCR = false
    /// Bytes of this answer used by earlier calls and by the current one so far.
    var offset = 0
    var response = HTTP1Response()
    var headerBytes = 0
    var headerCount = 0
    var interimCount = 0
    var contentLength: UInt64? = nil
    var chunked = false
    var connectionClose = false
    var connectionKeepAlive = false
    /// Body or chunk bytes still to read.
    var remaining: UInt64 = 0

    public init(limits: HTTP1ResponseLimits = HTTP1ResponseLimits()) {
        self.limits = limits
        line.reserveCapacity(min(limits.maxStatusLineBytes, 1024))
    }

    /// A fresh parser that keeps `line`'s storage: a kept-alive hook connection parses one
    /// answer per delivery, and a new line buffer each time was an allocation per event.
    init(limits: HTTP1ResponseLimits, reusing buffer: consuming [UInt8]) {
        self.limits = limits
        buffer.removeAll(keepingCapacity: true)
        line = buffer
    }

    /// Back to the start of the next response, the line buffer kept.
    mutating func restart() {
        var buffer: [UInt8] = []
        swap(&buffer, &line)
        self = HTTP1ResponseParser(limits: limits, reusing: buffer)
    }

    /// Parses what arrived. After `.complete`, the next call starts the next response.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer) -> HTTP1ResponseResult {
        if state == .done { restart() }
        var i = 0
        while true {
            switch state {
            case .failed(let error): return HTTP1ResponseResult(event: .error(error), consumed: i)
            case .done: return HTTP1ResponseResult(event: .complete(response), consumed: i)
            default: break
            }
            guard i < bytes.count else { return HTTP1ResponseResult(event: .needMore, consumed: i) }
            let used: Int
            switch state {
            case .fixedBody, .closeBody, .chunkData: used = bodyBytes(bytes, from: i)
            case .chunkDataCR, .chunkDataLF: used = chunkDataEnd(bytes[i])
            default: used = lineBytes(bytes, from: i)
            }
            i += used
            offset += used
        }
    }

    /// The peer closed the connection: ends a close-delimited body; anything else is cut short
    /// (`.closedBeforeResponse` when nothing of a next response had arrived).
    public mutating func finish() -> HTTP1ResponseEvent {
        if state == .done { restart() }
        switch state {
        case .closeBody:
            state = .done
            return .complete(response)
        case .failed(let error): return .error(error)
        case .statusLine where offset == 0 && line.isEmpty && !sawCR:
            fail(.closedBeforeResponse)
        default:
            fail(.truncated)
        }
        return finish()
    }

    mutating func fail(_ kind: HTTP1ResponseError.Kind, field: String? = nil) {
        state = .failed(HTTP1ResponseError(kind, offset: offset, field: field))
    }

    /// The bytes of a line up to its CR or LF, appended at once while they stay within the
    /// line's limit; the byte that would pass it, and CR and LF, go through `lineByte`, so
    /// errors and their offsets are those of the byte-by-byte path. Why: a hook's answers are
    /// parsed on the loop, and a call per byte was most of the parser's cost.
    mutating func lineBytes(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard !sawCR else { return lineByte(bytes[start]) }
        let room: Int
        switch state {
        case .statusLine: room = limits.maxStatusLineBytes - line.count
        case .fieldLine: room = limits.maxHeaderBytes - 2 - headerBytes - line.count
        case .trailerLine: room = limits.maxTrailerBytes - 2 - headerBytes - line.count
        case .chunkLine: room = 16 + 1 + limits.maxChunkExtensionBytes - line.count
        default: room = 0
        }
        var end = start
        let last = min(bytes.count, start + max(room, 0))
        while end < last && bytes[end] != 0x0D && bytes[end] != 0x0A { end += 1 }
        guard end > start else { return lineByte(bytes[start]) }
        line.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
        return end - start
    }

    /// One byte of a line. Returns 1 (the byte is used even when it fails the response).
    mutating func lineByte(_ b: UInt8) -> Int {
        if sawCR {
            sawCR = false
            guard b == 0x0A else {
                fail(.bareCR)
                return 1
            }
            lineEnded()
            line.removeAll(keepingCapacity: true)
            return 1
        }
        if b == 0x0D {
            sawCR = true
            return 1
        }
        if b == 0x0A {
            fail(.bareLF)
            return 1
        }
        line.append(b)
        switch state {
        case .statusLine where line.count > limits.maxStatusLineBytes: fail(.statusLineTooLong)
        case .fieldLine where headerBytes + line.count + 2 > limits.maxHeaderBytes: fail(.headerTooLarge)
        case .trailerLine where headerBytes + line.count + 2 > limits.maxTrailerBytes: fail(.trailersTooLarge)
        case .chunkLine where line.count > 16 + 1 + limits.maxChunkExtensionBytes: fail(.chunkExtensionTooLong)
        default: break
        }
        return 1
    }

    mutating func lineEnded() {
        switch state {
        case .statusLine: statusLineEnded()
        case .fieldLine:
            guard !line.isEmpty else { return headEnded() }
            headerCount += 1
            headerBytes += line.count + 2
            guard headerCount <= limits.maxHeaderCount else { return fail(.tooManyHeaders) }
            fieldLine(interpret: true)
        case .chunkLine: chunkLineEnded()
        case .trailerLine:
            guard !line.isEmpty else {
                state = .done
                return
            }
            headerBytes += line.count + 2
            fieldLine(interpret: false)
        default: preconditionFailure("not a line state")
        }
    }

    /// `HTTP-version SP 3DIGIT SP [reason-phrase]` (RFC 9112 §4).
    mutating func statusLineEnded() {
        let l = line
        guard l.count >= 13, l[0..<5].elementsEqual("HTTP/".utf8), l[6] == 0x2E, l[8] == 0x20, l[12] == 0x20 else {
            return fail(.invalidStatusLine)
        }
        guard l[5] == 0x31, l[7] == 0x30 || l[7] == 0x31 else {
            let digits = [l[5], l[7]].allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            return fail(digits ? .unsupportedVersion : .invalidStatusLine)
        }
        let code = l[9..<12]
        guard code.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return fail(.invalidStatusLine) }
        let status = code.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard (100...599).contains(status) else { return fail(.invalidStatusCode) }
        // reason-phrase = *( HTAB / SP / VCHAR / obs-text ); the SP before it is required even
        // when it is empty (RFC 9112 §4): "HTTP/1.1 200" is refused.
        guard l.dropFirst(13).allSatisfy({ $0 == 0x09 || $0 >= 0x20 && $0 != 0x7F }) else { return fail(.invalidStatusLine) }
        response.status = status
        response.minorVersion = Int(l[7] - 0x30)
        state = .fieldLine
    }
}

// An incremental, strict HTTP/1.1 request parser (RFC 9112), in the style of picohttpparser and
// llhttp: a value-type state machine over the caller's bytes that allocates nothing per byte and
// answers with events and offset ranges instead of copies.
//
// Contract. The caller keeps one buffer of unconsumed bytes per connection. Each call gets that
// whole buffer, from its first unconsumed byte; the result says what happened (`event`) and how
// many bytes, from the front, are now consumed and must be dropped before the next call. On
// `.needMore`, append what arrives next and call again: the parser remembers how far it has
// looked, so a head split across any number of reads is scanned once (no state is lost and no
// byte is rescanned, but for the first read's one try at a whole request line). The head stays
// unconsumed until it is complete, so every range in `head` and `fields` is an offset into the
// buffer passed to the call that returned `.head`.
//
//     var parser = HTTP1RequestParser(limits: HTTP1Limits(maxBodyBytes: config.maxBodyBytes))
//     loop: while true {
//         let result = buffer.withUnsafeBytes { parser.parse($0) }
//         switch result.event {
//         case .needMore: break loop                        // read more, then call again
//         case .head:                                       // copy what the route needs
//             buffer.withUnsafeBytes { bytes in
//                 path = HTTP1.string(parser.head.path, in: bytes)
//                 signature = parser.value(of: "x-signature", in: bytes).map { HTTP1.bytes($0, in: bytes) }
//             }
//             if parser.head.expectsContinue { send(HTTP1ResponseWriter.continue100) }
//         case .body(let range): body += buffer[range]      // at most limits.maxBodyBytes in all
//         case .end: dispatch(request)                      // the next request may follow
//         case .error(let error): answer(error.status); close(); break loop
//         }
//         buffer.removeFirst(result.consumed)               // pipelined bytes stay for the next one
//     }
//
// Strict by default: see `HTTP1Limits` for the bounds, `HTTP1Leniencies` for the only deviations
// that can be switched on, and `HTTP1ParseError.status` for the answer to every refusal.

/// What one call to ``HTTP1RequestParser/parse(_:)`` found.
public enum HTTP1Event: Sendable, Equatable {
    /// Every byte given has been looked at; call again with more (after dropping `consumed`).
    case needMore
    /// The request head is complete: read ``HTTP1RequestParser/head`` and ``HTTP1RequestParser/fields``
    /// (offsets into the buffer of this call) before dropping `consumed` bytes.
    case head
    /// Body bytes (chunk framing removed) at these offsets of the buffer of this call.
    case body(Range<Int>)
    /// The request is complete; the parser is ready for the next one (pipelining).
    case end
    /// The request is refused: answer `error.status` and close the connection. Repeated calls
    /// return the same error.
    case error(HTTP1ParseError)
}

/// An event and the number of bytes, from the front of the buffer given, to drop after it.
public struct HTTP1ParseResult: Sendable, Equatable {
    public var event: HTTP1Event
    public var consumed: Int

    public init(event: HTTP1Event, consumed: Int) {
        self.event = event
        self.consumed = consumed
    }
}

/// The incremental, strict HTTP/1.1 request parser. One per connection; reused for every
/// request on it. See the file header for the calling contract and an example.
public struct HTTP1RequestParser: Sendable {
    public let limits: HTTP1Limits
    public let leniencies: HTTP1Leniencies
    /// The current request's head, complete once ``HTTP1Event/head`` was returned.
    public internal(set) var head = HTTP1RequestHead()
    /// The current request's header fields in order of arrival.
    @inlinable public var fields: ArraySlice<HTTP1Field> { fieldStorage[..<fieldCount] }
    /// The fields of the current request are the first `fieldCount`; later ones are stale, kept
    /// so that a new request overwrites them rather than emptying the array (Array's
    /// `removeAll(keepingCapacity:)` cost a twentieth of the parser per request).
    @usableFromInline var fieldStorage: [HTTP1Field] = []
    @usableFromInline var fieldCount = 0
    /// Body bytes of the current request announced so far (Content-Length or chunk sizes).
    public internal(set) var bodyBytes = 0
    /// The current request's body limit: `limits.maxBodyBytes`, or lower once the caller knows
    /// the route (`limitBody(toBytes:)`).
    public internal(set) var maxBodyBytes: Int

    enum State: Sendable, Equatable {
        case requestLine, fieldLines
        case fixedBody(remaining: Int)
        case chunkLine(ChunkLine)
        case chunkData(remaining: Int)
        case chunkDataCR, chunkDataLF
        case trailers
        case complete
        /// The error is in `failure`: a payload with a String would make every copy of the
        /// state a retain and release.
        case failed
    }

    /// Position inside a chunk-size line: `size [ ";" name [ "=" ( token / quoted ) ] ]* CRLF`.
    enum ChunkLine: Sendable, Equatable {
        case size, extStart, extName, extValueStart, extToken, extQuoted, extEscape, extAfterQuote, lf
    }

    var state: State = .requestLine
    /// The error that failed the request, when `state` is `.failed` (read only then: `reset`
    /// leaves it).
    var failure: HTTP1ParseError? = nil
    // Line scanning of the head and the trailer section: offsets from the section's first byte.
    var scan = 0
    var lineStart = 0
    var fieldsStart = 0
    /// The first byte of the current line that no field line may hold, or -1.
    var badByte = -1
    var skippedEmptyLine = false
    // Bytes of this request consumed by earlier calls, plus the trailer section's offset within
    // the current call: error offsets count from the request line.
    var messageConsumed = 0
    var sectionBase = 0
    var chunkSize: UInt64 = 0
    var chunkDigits = 0
    var chunkExtBytes = 0
    var seen = SeenFields()
    /// `nameBit` of every field name of the head.
    @usableFromInline var fieldNameBits: UInt64 = 0

    public init(limits: HTTP1Limits = HTTP1Limits(), leniencies: HTTP1Leniencies = []) {
        self.limits = limits
        self.leniencies = leniencies
        self.maxBodyBytes = limits.maxBodyBytes
        fieldStorage.reserveCapacity(limits.maxHeaderCount)
    }

    /// Parses as far as the next event. `bytes` must start at the first byte not yet reported
    /// consumed and hold everything received since (see the file header).
    public mutating func parse(_ bytes: UnsafeRawBufferPointer) -> HTTP1ParseResult {
        let result: HTTP1ParseResult
        switch state {
        // The head never ends a request: no `.end` to look for.
        case .requestLine, .fieldLines:
            result = parseLines(bytes)
            messageConsumed &+= result.consumed
            return result
        case .fixedBody(let remaining): result = parseFixedBody(bytes, remaining: remaining)
        case .chunkLine, .chunkData, .chunkDataCR, .chunkDataLF, .trailers: result = parseChunked(bytes)
        case .complete:
            reset()
            return HTTP1ParseResult(event: .end, consumed: 0)
        case .failed: return HTTP1ParseResult(event: .error(failure!), consumed: 0)
        }
        if case .end = result.event {
            reset()
        } else {
            messageConsumed &+= result.consumed
        }
        return result
    }

    /// The value of the first field called `name` (lowercase ASCII), as offsets into the buffer
    /// of the call that returned ``HTTP1Event/head``.
    /// Inlinable: called on a parser the caller holds `inout`, an opaque call would copy the
    /// whole parser first.
    @inlinable
    public func value(of name: StaticString, in buffer: UnsafeRawBufferPointer) -> Range<Int>? {
        let length = name.utf8CodeUnitCount
        let first = name.utf8Start[0] | 0x20  // a superset test: "_" and "^" fold too
        if fieldNameBits & Self.nameBit(count: length, first: first) == 0 { return nil }
        return fieldStorage.withUnsafeBufferPointer { fields in
            // Length and first letter reject almost every other field without a loop.
            for field in fields[..<fieldCount] where field.name.count == length && buffer[field.name.lowerBound] | 0x20 == first {
                if HTTP1.equalsIgnoringCase(field.name, in: buffer, name) { return field.value }
            }
            return nil
        }
    }

    /// Whether the parser waits for the first byte of a request (nothing of one seen yet): the
    /// connection is idle (idle timeout), not in the middle of a head (header timeout, 408).
    public var isIdle: Bool {
        if case .requestLine = state { return scan == 0 }
        return false
    }

    /// Forgets the current request; the next call starts a new one.
    public mutating func reset() {
        state = .requestLine
        head = HTTP1RequestHead()
        fieldCount = 0
        bodyBytes = 0
        maxBodyBytes = limits.maxBodyBytes
        scan = 0
        lineStart = 0
        fieldsStart = 0
        badByte = -1
        skippedEmptyLine = false
        messageConsumed = 0
        sectionBase = 0
        chunkSize = 0
        chunkDigits = 0
        chunkExtBytes = 0
        seen = SeenFields()
        fieldNameBits = 0
    }

    /// Lowers the current request's body limit to `maxBytes` (a route's own limit, known once
    /// the head is in: call it after ``HTTP1Event/head``, before the body). A Content-Length
    /// above it fails at once, before any body byte is read; a chunked body fails at the
    /// chunk-size line that would pass it. Returns the error when the request failed. The next
    /// request starts again from `limits.maxBodyBytes`.
    public mutating func limitBody(toBytes maxBytes: Int) -> HTTP1ParseError? {
        maxBodyBytes = min(maxBodyBytes, maxBytes)
        guard case .contentLength(let length) = head.framing, length > maxBodyBytes else { return nil }
        let error = HTTP1ParseError(.bodyTooLarge, offset: messageConsumed, field: "content-length")
        failure = error
        state = .failed
        return error
    }

    /// Enters the failed state with `kind` at `offset` (relative to the current section).
    mutating func fail(_ error: HTTP1ParseError) -> HTTP1ParseResult {
        var error = error
        error.offset &+= messageConsumed &+ sectionBase
        failure = error
        state = .failed
        return HTTP1ParseResult(event: .error(error), consumed: 0)
    }

    mutating func parseFixedBody(_ bytes: UnsafeRawBufferPointer, remaining: Int) -> HTTP1ParseResult {
        if bytes.isEmpty { return HTTP1ParseResult(event: .needMore, consumed: 0) }
        let take = min(remaining, bytes.count)
        state = take == remaining ? .complete : .fixedBody(remaining: remaining &- take)
        return HTTP1ParseResult(event: .body(0..<take), consumed: take)
    }
}

/// What the field lines of the current head said, gathered line by line.
struct SeenFields: Sendable {
    var contentLength: Int? = nil
    var contentLengthLine = 0
    var transferEncodingLine: Int? = nil
    var chunkedNotLast = false
    var chunkedLast = false
    var unknownCoding = false
    var connectionClose = false
    var connectionKeepAlive = false
    var expectContinue = false
    var expectOtherLine: Int? = nil
}

// The chunked transfer coding (RFC 9112 §7.1). Chunk-size lines are consumed byte by byte (their
// whole state is a few integers), chunk data is handed out as spans, and the trailer section is
// scanned like the head (unconsumed until its empty line, bounded by maxTrailerBytes).
//
// Stricter than the grammar: no whitespace anywhere on a chunk-size line (BWS around ";" and "="
// is refused: "5 " or "5 ;x" is a smuggling probe, not a client), at most 16 hex digits, and an
// extension is `;name` or `;name=token` or `;name="quoted"`.

private let cr: UInt8 = 0x0D
private let lf: UInt8 = 0x0A

extension HTTP1RequestParser {
    mutating func parseChunked(_ bytes: UnsafeRawBufferPointer) -> HTTP1ParseResult {
        var i = 0
        let count = bytes.count
        while true {
            switch state {
            case .chunkLine(let position):
                if i == count { return HTTP1ParseResult(event: .needMore, consumed: i) }
                if let error = chunkLine(bytes, &i, position) { return fail(error) }
            case .chunkData(let remaining):
                if i == count { return HTTP1ParseResult(event: .needMore, consumed: i) }
                let take = min(remaining, count &- i)
                state = take == remaining ? .chunkDataCR : .chunkData(remaining: remaining &- take)
                return HTTP1ParseResult(event: .body(i..<(i &+ take)), consumed: i &+ take)
            case .chunkDataCR, .chunkDataLF:
                if i == count { return HTTP1ParseResult(event: .needMore, consumed: i) }
                let expectCR: Bool
                if case .chunkDataCR = state { expectCR = true } else { expectCR = false }
                if bytes[i] != (expectCR ? cr : lf) { return fail(HTTP1ParseError(.missingChunkDataCRLF, offset: i)) }
                state = expectCR ? .chunkDataLF : .chunkLine(.size)
                i &+= 1
            case .trailers:
                sectionBase = i
                var result = parseLines(UnsafeRawBufferPointer(rebasing: bytes[i...]))
                sectionBase = 0
                if case .error = result.event { return result }
                result.consumed &+= i
                return result
            default:
                preconditionFailure("parseChunked in state \(state)")
            }
        }
    }

    /// Consumes chunk-size line bytes from `i` until the line ends or the bytes run out.
    mutating func chunkLine(_ bytes: UnsafeRawBufferPointer, _ i: inout Int, _ start: ChunkLine) -> HTTP1ParseError? {
        var position = start
        let count = bytes.count
        while i < count {
            let b = bytes[i]
            if position != .size && position != .lf {
                chunkExtBytes &+= 1
                if chunkExtBytes > limits.maxChunkExtensionBytes && b != cr {
                    return HTTP1ParseError(.chunkExtensionTooLong, offset: i)
                }
            }
            switch position {
            case .size:
                if let digit = HTTP1ByteClass.hexValue(b) {
                    chunkDigits &+= 1
                    if chunkDigits > 16 { return HTTP1ParseError(.chunkSizeOverflow, offset: i) }
                    chunkSize = chunkSize << 4 | UInt64(digit)
                } else if chunkDigits > 0 && (b == cr || b == UInt8(ascii: ";")) {
                    if chunkSize > UInt64(maxBodyBytes &- bodyBytes) {
                        return HTTP1ParseError(.bodyTooLarge, offset: i)
                    }
                    if b == cr {
                        position = .lf
                    } else {
                        position = .extStart
                        chunkExtBytes = 1
                        if chunkExtBytes > limits.maxChunkExtensionBytes { return HTTP1ParseError(.chunkExtensionTooLong, offset: i) }
                    }
                } else {
                    return HTTP1ParseError(.invalidChunkSize, offset: i)
                }
            case .extStart, .extValueStart:
                if HTTP1ByteClass.isToken(b) {
                    position = position == .extStart ? .extName : .extToken
                } else if position == .extValueStart && b == UInt8(ascii: "\"") {
                    position = .extQuoted
                } else {
                    return HTTP1ParseError(b == cr ? .bareCR : .invalidChunkExtension, offset: i)
                }
            case .extName, .extToken, .extAfterQuote:
                if position != .extAfterQuote && HTTP1ByteClass.isToken(b) { break }
                if b == UInt8(ascii: ";") {
                    position = .extStart
                } else if b == UInt8(ascii: "=") && position == .extName {
                    position = .extValueStart
                } else if b == cr {
                    position = .lf
                } else {
                    return HTTP1ParseError(.invalidChunkExtension, offset: i)
                }
            case .extQuoted:
                if b == UInt8(ascii: "\"") {
                    position = .extAfterQuote
                } else if b == UInt8(ascii: "\\") {
                    position = .extEscape
                } else if !HTTP1ByteClass.isQuotedText(b) {
                    return HTTP1ParseError(.invalidChunkExtension, offset: i)
                }
            case .extEscape:
                // quoted-pair: HTAB, SP, VCHAR or obs-text.
                if !(b == 0x09 || b >= 0x20) || b == 0x7F { return HTTP1ParseError(.invalidChunkExtension, offset: i) }
                position = .extQuoted
            case .lf:
                if b != lf { return HTTP1ParseError(.bareCR, offset: i &- 1) }
                i &+= 1
                return endOfChunkLine()
            }
            i &+= 1
        }
        state = .chunkLine(position)
        return nil
    }

    /// A chunk-size line is complete: data follows, or the last chunk opens the trailer section.
    mutating func endOfChunkLine() -> HTTP1ParseError? {
        let size = Int(chunkSize)
        chunkSize = 0
        chunkDigits = 0
        chunkExtBytes = 0
        if size == 0 {
            state = .trailers
            scan = 0
            lineStart = 0
            fieldsStart = 0
            badByte = -1
            return nil
        }
        bodyBytes &+= size
        state = .chunkData(remaining: size)
        return nil
    }
}

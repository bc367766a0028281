// Response bodies: Content-Length, chunked (RFC 9112 §7.1) and close-delimited. Bytes are
// counted; only the first `maxKeptBodyBytes` are kept.

extension HTTP1ResponseParser {
    /// Uses body bytes from `i`; returns how many.
    mutating func bodyBytes(_ bytes: UnsafeRawBufferPointer, from i: Int) -> Int {
        let available = bytes.count - i
        let n = state == .closeBody ? available : Int(min(UInt64(available), remaining))
        let keep = min(n, limits.maxKeptBodyBytes - response.body.count)
        if keep > 0 { response.body.append(contentsOf: bytes[i..<(i + keep)]) }
        response.bodyBytes += UInt64(n)
        guard state != .closeBody else { return n }
        remaining -= UInt64(n)
        if remaining == 0 { state = state == .chunkData ? .chunkDataCR : .done }
        return n
    }

    /// The CRLF after a chunk's data.
    mutating func chunkDataEnd(_ b: UInt8) -> Int {
        if state == .chunkDataCR {
            guard b == 0x0D else {
                fail(.missingChunkDataCRLF)
                return 1
            }
            state = .chunkDataLF
        } else {
            guard b == 0x0A else {
                fail(.missingChunkDataCRLF)
                return 1
            }
            state = .chunkLine
        }
        return 1
    }

    /// `chunk-size [ chunk-ext ] CRLF`: hex digits (at most 16), then optional extensions,
    /// checked for bytes only (`;` first, then visible ASCII, SP, HTAB): payhookd reads none.
    mutating func chunkLineEnded() {
        var size: UInt64 = 0
        var digits = 0
        for b in line {
            guard let v = HTTP1ByteClass.hexValue(b) else { break }
            digits += 1
            guard digits <= 16 else { return fail(.chunkSizeOverflow) }
            size = size << 4 | UInt64(v)
        }
        guard digits > 0 else { return fail(.invalidChunkSize) }
        let ext = line[digits...]
        if let first = ext.first {
            guard first == 0x3B || first == 0x20 || first == 0x09 else { return fail(.invalidChunkSize) }
            guard ext.count <= limits.maxChunkExtensionBytes else { return fail(.chunkExtensionTooLong) }
            guard ext.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 < 0x7F) }) else { return fail(.invalidChunkExtension) }
            guard ext.drop(while: { $0 == 0x20 || $0 == 0x09 }).first == 0x3B else { return fail(.invalidChunkExtension) }
        }
        if size == 0 {
            state = .trailerLine
        } else {
            remaining = size
            state = .chunkData
        }
    }
}

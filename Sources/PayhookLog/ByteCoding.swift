/// Little-endian encoding helpers shared by records, snapshots and rejects.
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { bytes.append(UInt8(v & 0xFF)); bytes.append(UInt8(v >> 8)) }
    mutating func u32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8((v >> (8 * UInt32(i))) & 0xFF)) } }
    mutating func u64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8((v >> (8 * UInt64(i))) & 0xFF)) } }
    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }

    mutating func string(_ s: String) {
        let n = s.utf8.count
        precondition(n <= LogFormat.stringBytesMax, "string of \(n) bytes exceeds the format bound")
        u16(UInt16(n))
        bytes.append(contentsOf: s.utf8)
    }

    mutating func optional(_ s: String?) {
        if let s { string(s) } else { u16(LogFormat.absent) }
    }

    mutating func blob(_ b: [UInt8]) {
        precondition(b.count <= LogFormat.recordBytesMax, "blob of \(b.count) bytes exceeds the format bound")
        u32(UInt32(b.count))
        bytes.append(contentsOf: b)
    }

    /// Overwrites 4 bytes at `at` (a length or CRC filled in after the payload).
    mutating func patch32(_ v: UInt32, at: Int) {
        for i in 0..<4 { bytes[at + i] = UInt8((v >> (8 * UInt32(i))) & 0xFF) }
    }
}

/// Why bytes do not decode; the offset is relative to the decoded buffer.
public struct DecodeError: Error, Equatable, Sendable {
    public var offset: Int
    public var what: String
}

/// A bounds-checked reader; every read past the end or over a bound throws `DecodeError`.
struct ByteReader {
    let bytes: ArraySlice<UInt8>
    private(set) var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.position = bytes.startIndex
    }

    var remaining: Int { bytes.endIndex - position }
    var offset: Int { position - bytes.startIndex }

    private mutating func take(_ n: Int, _ what: String) throws(DecodeError) -> ArraySlice<UInt8> {
        guard n >= 0, n <= remaining else { throw DecodeError(offset: offset, what: "\(what) runs past the end") }
        defer { position += n }
        return bytes[position..<position + n]
    }

    mutating func u8(_ what: String) throws(DecodeError) -> UInt8 { try take(1, what).first! }

    mutating func u16(_ what: String) throws(DecodeError) -> UInt16 {
        let b = try take(2, what)
        return UInt16(b[b.startIndex]) | UInt16(b[b.startIndex + 1]) << 8
    }

    mutating func u32(_ what: String) throws(DecodeError) -> UInt32 {
        let b = try take(4, what)
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(b[b.startIndex + i]) << (8 * UInt32(i)) }
        return v
    }

    mutating func u64(_ what: String) throws(DecodeError) -> UInt64 {
        let b = try take(8, what)
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(b[b.startIndex + i]) << (8 * UInt64(i)) }
        return v
    }

    mutating func i64(_ what: String) throws(DecodeError) -> Int64 { Int64(bitPattern: try u64(what)) }

    mutating func string(_ what: String) throws(DecodeError) -> String {
        let n = try u16(what)
        guard n != LogFormat.absent else { throw DecodeError(offset: offset, what: "\(what) is absent") }
        return try utf8(Int(n), what)
    }

    mutating func optional(_ what: String) throws(DecodeError) -> String? {
        let n = try u16(what)
        return n == LogFormat.absent ? nil : try utf8(Int(n), what)
    }

    private mutating func utf8(_ n: Int, _ what: String) throws(DecodeError) -> String {
        let raw = try take(n, what)
        guard let s = String(validating: raw, as: UTF8.self) else {
            throw DecodeError(offset: offset - n, what: "\(what) is not UTF-8")
        }
        return s
    }

    mutating func skipString(_ what: String) throws(DecodeError) {
        let n = try u16(what)
        guard n != LogFormat.absent else { throw DecodeError(offset: offset, what: "\(what) is absent") }
        _ = try take(Int(n), what)
    }

    mutating func skipBlob(_ what: String) throws(DecodeError) {
        let n = try u32(what)
        guard n <= LogFormat.recordBytesMax else { throw DecodeError(offset: offset - 4, what: "\(what) of \(n) bytes is over the bound") }
        _ = try take(Int(n), what)
    }

    mutating func blob(_ what: String) throws(DecodeError) -> [UInt8] {
        let n = try u32(what)
        guard n <= LogFormat.recordBytesMax else { throw DecodeError(offset: offset - 4, what: "\(what) of \(n) bytes is over the bound") }
        return Array(try take(Int(n), what))
    }

    mutating func rest() -> [UInt8] {
        defer { position = bytes.endIndex }
        return Array(bytes[position...])
    }
}

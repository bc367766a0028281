import Glibc

/// Little-endian encoding helpers shared by records, snapshots and rejects.
package struct ByteWriter {
    package var bytes: [UInt8] = []

    package init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    package mutating func u8(_ v: UInt8) { bytes.append(v) }
    package mutating func u16(_ v: UInt16) {
        bytes.append(UInt8(v & 0xFF))
        bytes.append(UInt8(v >> 8))
    }
    package mutating func u32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8((v >> (8 * UInt32(i))) & 0xFF)) } }
    package mutating func u64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8((v >> (8 * UInt64(i))) & 0xFF)) } }
    package mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }

    package mutating func string(_ s: String) {
        let n = s.utf8.count
        precondition(n <= LogFormat.maxStringBytes, "string of \(n) bytes exceeds the format bound")
        u16(UInt16(n))
        bytes.append(contentsOf: s.utf8)
    }

    package mutating func optional(_ s: String?) {
        if let s { string(s) } else { u16(LogFormat.absent) }
    }

    package mutating func blob(_ b: [UInt8]) {
        precondition(b.count <= LogFormat.maxRecordBytes, "blob of \(b.count) bytes exceeds the format bound")
        u32(UInt32(b.count))
        bytes.append(contentsOf: b)
    }

    /// Overwrites 4 bytes at `at` (a length or CRC filled in after the payload).
    package mutating func patch32(_ v: UInt32, at: Int) {
        for i in 0..<4 { bytes[at + i] = UInt8((v >> (8 * UInt32(i))) & 0xFF) }
    }
}

/// Why bytes do not decode; the offset is relative to the decoded buffer.
public struct DecodeError: Error, Equatable, Sendable {
    public var offset: Int
    public var what: String

    package init(offset: Int, what: String) {
        self.offset = offset
        self.what = what
    }
}

/// A bounds-checked reader over borrowed bytes; every read past the end or over a bound
/// throws `DecodeError`. It only lives inside `ByteReader.read` (the bytes are borrowed, so
/// decoding retains nothing per field).
package struct ByteReader {
    private let base: UnsafeRawBufferPointer
    package private(set) var offset: Int = 0

    private init(_ base: UnsafeRawBufferPointer) { self.base = base }

    /// Runs `body` with a reader over `bytes`.
    package static func read<T>(_ bytes: ArraySlice<UInt8>, _ body: (inout ByteReader) throws(DecodeError) -> T) throws(DecodeError) -> T {
        let result = bytes.withUnsafeBytes { raw in
            var r = ByteReader(raw)
            return Result { () throws(DecodeError) -> T in try body(&r) }
        }
        return try result.get()
    }

    package var remaining: Int { base.count - offset }

    private mutating func take(_ n: Int, _ what: String) throws(DecodeError) -> UnsafeRawBufferPointer {
        guard n >= 0, n <= remaining else { throw DecodeError(offset: offset, what: "\(what) runs past the end") }
        defer { offset += n }
        return UnsafeRawBufferPointer(rebasing: base[offset..<offset + n])
    }

    private mutating func integer<T: FixedWidthInteger>(_ what: String, as: T.Type) throws(DecodeError) -> T {
        let raw = try take(MemoryLayout<T>.size, what)
        return T(littleEndian: raw.loadUnaligned(as: T.self))
    }

    package mutating func u8(_ what: String) throws(DecodeError) -> UInt8 { try take(1, what)[0] }
    package mutating func u16(_ what: String) throws(DecodeError) -> UInt16 { try integer(what, as: UInt16.self) }
    package mutating func u32(_ what: String) throws(DecodeError) -> UInt32 { try integer(what, as: UInt32.self) }
    package mutating func u64(_ what: String) throws(DecodeError) -> UInt64 { try integer(what, as: UInt64.self) }
    package mutating func i64(_ what: String) throws(DecodeError) -> Int64 { Int64(bitPattern: try u64(what)) }

    package mutating func string(_ what: String) throws(DecodeError) -> String {
        let n = try u16(what)
        guard n != LogFormat.absent else { throw DecodeError(offset: offset, what: "\(what) is absent") }
        return try utf8(Int(n), what)
    }

    package mutating func optional(_ what: String) throws(DecodeError) -> String? {
        let n = try u16(what)
        return n == LogFormat.absent ? nil : try utf8(Int(n), what)
    }

    private mutating func utf8(_ n: Int, _ what: String) throws(DecodeError) -> String {
        let raw = try take(n, what).assumingMemoryBound(to: UInt8.self)
        // `String(decoding:)` is the fast path (no generic instantiation per call, unlike
        // `String(validating:)`); it repairs invalid UTF-8, which the comparison then detects.
        let s = String(decoding: raw, as: UTF8.self)
        let same =
            n == 0 || s.utf8.withContiguousStorageIfAvailable { memcmp($0.baseAddress!, raw.baseAddress!, n) == 0 } ?? s.utf8.elementsEqual(raw)
        guard s.utf8.count == n, same else {
            throw DecodeError(offset: offset - n, what: "\(what) is not UTF-8")
        }
        return s
    }

    package mutating func skipString(_ what: String) throws(DecodeError) {
        let n = try u16(what)
        guard n != LogFormat.absent else { throw DecodeError(offset: offset, what: "\(what) is absent") }
        _ = try take(Int(n), what)
    }

    private mutating func blobLength(_ what: String) throws(DecodeError) -> Int {
        let n = try u32(what)
        guard n <= LogFormat.maxRecordBytes else { throw DecodeError(offset: offset - 4, what: "\(what) of \(n) bytes is over the bound") }
        return Int(n)
    }

    package mutating func skipBlob(_ what: String) throws(DecodeError) { _ = try take(try blobLength(what), what) }

    package mutating func blob(_ what: String) throws(DecodeError) -> [UInt8] { Array(try take(try blobLength(what), what)) }

    /// The next `n` bytes, copied (a table's raw arena in a snapshot).
    package mutating func bytes(_ n: Int, _ what: String) throws(DecodeError) -> [UInt8] { Array(try take(n, what)) }

    package mutating func rest() -> [UInt8] {
        defer { offset = base.count }
        return Array(UnsafeRawBufferPointer(rebasing: base[offset...]))
    }
}

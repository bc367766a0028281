import CLinuxShim

/// What the writer appends: the log frames it and writes the record header (type, flags, the
/// seq it assigns, receive time); the entry appends its own body. The log never looks inside a
/// body (the store's `RecordCodec` defines them), as LevelDB's log never looks inside a batch.
public protocol LogEntry: Sendable {
    /// The record type byte (readers skip types they do not know).
    var type: UInt8 { get }
    var flags: UInt8 { get }
    /// Unix ms; the log keeps the newest per segment for retention.
    var receivedAtMs: Int64 { get }
    /// Appends the body that follows the record header; `seq` is the one the writer assigned.
    func appendBody(seq: UInt64, to bytes: inout [UInt8])
}

/// A record as the log reads it back: its header, and its whole payload (header included) for
/// the store to decode, so that decode offsets count from the payload's first byte.
public struct RawRecord: Sendable {
    public var type: UInt8
    public var flags: UInt8
    public var seq: UInt64
    public var receivedAtMs: Int64
    public var payload: ArraySlice<UInt8>

    /// The bytes after the record header.
    public var body: ArraySlice<UInt8> { payload.dropFirst(LogFormat.recordHeaderBytes) }
}

/// Frames records (format in `LogFormat.swift`): length, CRC32C, then the payload.
public enum FrameCodec {
    /// Appends the framed record of `entry` at `seq` to `out`; returns the frame's byte count.
    @discardableResult
    public static func appendFrame(_ entry: some LogEntry, seq: UInt64, to out: inout [UInt8]) -> Int {
        var w = ByteWriter(capacity: 0)
        swap(&w.bytes, &out)
        let start = w.bytes.count
        w.u32(0)  // length, patched below
        w.u32(0)  // crc, patched below
        w.u8(entry.type)
        w.u8(entry.flags)
        w.u64(seq)
        w.i64(entry.receivedAtMs)
        entry.appendBody(seq: seq, to: &w.bytes)
        let length = w.bytes.count - start - LogFormat.frameHeaderBytes
        precondition(length >= 1 && length <= LogFormat.maxRecordBytes, "record of \(length) bytes is out of bounds")
        w.patch32(UInt32(length), at: start)
        let crc = w.bytes.withUnsafeBytes { p in
            let lengthCRC = cshim_crc32c(0, p.baseAddress! + start, 4)
            return cshim_crc32c(lengthCRC, p.baseAddress! + start + 8, length)
        }
        w.patch32(crc, at: start + 4)
        swap(&w.bytes, &out)
        return length + LogFormat.frameHeaderBytes
    }

    /// CRC32C of a frame: its length field, then its payload.
    public static func checksum(length: UInt32, payload: UnsafeRawBufferPointer) -> UInt32 {
        var le = length.littleEndian
        let lengthCRC = withUnsafeBytes(of: &le) { cshim_crc32c(0, $0.baseAddress!, 4) }
        return cshim_crc32c(lengthCRC, payload.baseAddress, payload.count)
    }

    /// The record header of a payload whose CRC matched.
    public static func decodeHeader(_ payload: ArraySlice<UInt8>) throws(DecodeError) -> RawRecord {
        let (type, flags, seq, ms) = try ByteReader.read(payload) { (r: inout ByteReader) throws(DecodeError) in
            (try r.u8("type"), try r.u8("flags"), try r.u64("seq"), try r.i64("received_ms"))
        }
        return RawRecord(type: type, flags: flags, seq: seq, receivedAtMs: ms, payload: payload)
    }
}

/// Names of the index snapshot files (`index-<last seq, 20 digits>.snap`). Their content is the
/// store's (`IndexSnapshot`); the log knows their names because each one is a witness: it proves
/// every seq up to the one in its name was acknowledged (`LogJudgement`).
public enum SnapshotFiles {
    public static let prefix = "index-"
    public static let suffix = ".snap"

    public static func fileName(lastSeq: UInt64) -> String {
        let digits = String(lastSeq)
        return prefix + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + suffix
    }

    public static func lastSeq(fileName name: String) -> UInt64? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        return UInt64(name.dropFirst(prefix.count).dropLast(suffix.count))
    }
}

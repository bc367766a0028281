// payhookd log format, version 1. This comment is the specification; the README copies it.
//
// Directory storage.dir/log/ holds segment files named by the seq of their first record,
// 20 decimal digits: 00000000000000000001.seg. Seqs start at 1 and are dense: every record's
// seq is the previous one's plus one, across segments. All integers are little-endian.
//
// Segment header, 32 bytes:
//   magic      8 bytes  "PAYHKLOG"
//   version    u16      1
//   reserved   u16      0
//   first_seq  u64      seq of the first record of the segment (equals the file name)
//   created_ms i64      Unix ms when the segment was created
//   crc        u32      CRC32C of the 28 bytes above
//
// Record frame, repeated until end of file:
//   length     u32      bytes of payload, 1 ... record_bytes_max (16 MiB)
//   crc        u32      CRC32C of the length field's 4 bytes followed by the payload
//   payload    length bytes:
//     type        u8    1 event, 2 duplicate, 3 hook_parked (reserved); readers skip types they
//                       do not know (their CRC still holds) and such records still take a seq
//     flags       u8    bit 0: body is valid JSON (checked at ingest)
//     seq         u64
//     received_ms i64   Unix ms
//     body        the rest, opaque to the log: the store encodes and decodes it (its layout
//                       for types 1 and 2 is in Sources/PayhookStore/RecordCodec.swift)
//
// Bounds (TigerBeetle style, asserted after read): strings <= 65,534 bytes, headers <= 255,
// body <= record_bytes_max. Tighter, configurable bounds (the store's `LogLimits`) are checked
// on submit, before the writer sees the record.
//
// Witnesses (files that prove seqs were acknowledged; a 2xx goes out only after fdatasync):
//   index-<seq>.snap  covers records up to seq, all synced before it was renamed into place;
//   acked             the high-water mark (format in AckedMark.swift): a seq whose batch was
//                     synced, rewritten at most every storage.acked_mark_interval_ms (default
//                     1 s) off the ack path, so it lags the tail and never leads it.
//   (hook cursors will be one more witness.) P is the highest seq any witness proves.
//
// Recovery. What a torn write can look like: the writer appends a batch with one pwrite at the
// end of the last segment and acknowledges nothing before fdatasync returns. A crash before that
// leaves, from the batch's start (a record boundary) to the end of the file, a prefix of the
// batch's bytes in which whole pages may be zeros or stale garbage (the size reached disk, the
// data did not), and the file may end anywhere in it. So at the tail:
//   torn     a frame cut short by the end of the file (header incomplete, or a length in
//            bounds that runs past the end), or zeros from the frame to the end;
//   suspect  a bad frame that a torn write could leave but damage could too: a full frame whose
//            CRC fails, a length out of bounds or one that ends short of the end with bytes
//            that are not all zeros after it;
//   damage   a bad frame followed by a valid frame of a later seq (a torn write leaves nothing
//            valid behind it... except after page-granular loss, which we cannot tell from a
//            flipped byte: the operator decides), a bad header, a seq gap, a CRC-valid frame that
//            does not decode, or a bad frame in any segment but the last. Start-up stops naming
//            the segment file and byte offset.
// The witnesses judge the end (LogJudgement, shared by start-up and `log verify`): if the log,
// once a torn or suspect tail is cut, ends below P, start-up stops naming the end, the
// witnesses and the way out (restore the missing segments; or, to give up those events, move
// the witness files aside, after which their seqs are given out again). Otherwise the tail
// is cut (ftruncate + fdatasync), the log line saying why it was never acknowledged, and the
// next seq is above P: a seq proven acknowledged is never given out twice. Segments removed
// from the front (retention) do not matter; only the end is judged. A suspect tail within the
// last interval of the high-water mark with no newer snapshot is cut: the mark lags by design.

/// Constants of the on-disk format (see the comment at the top of `LogFormat.swift`).
public enum LogFormat {
    public static let version: UInt16 = 1
    public static let magic: [UInt8] = Array("PAYHKLOG".utf8)
    public static let segmentHeaderBytes = 32
    public static let frameHeaderBytes = 8
    /// The largest payload a frame may announce; larger is damage. 16 MiB.
    public static let maxRecordBytes = 16 * 1024 * 1024
    /// u16 length 0xFFFF marks an absent optional string.
    package static let absent: UInt16 = 0xFFFF
    /// The record header inside the payload: type u8, flags u8, seq u64, received_ms i64.
    public static let recordHeaderBytes = 18
    public static let maxStringBytes = 65_534
    public static let maxHeaderCount = 255
    public static let segmentSuffix = ".seg"

    /// `00000000000000000042.seg` for first seq 42.
    public static func segmentName(firstSeq: UInt64) -> String {
        let digits = String(firstSeq)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + segmentSuffix
    }

    /// The first seq named by a segment file name, or `nil` for other files.
    public static func firstSeq(segmentName name: String) -> UInt64? {
        guard name.hasSuffix(segmentSuffix), name.utf8.count == 20 + segmentSuffix.utf8.count else { return nil }
        return UInt64(name.dropLast(segmentSuffix.count))
    }
}

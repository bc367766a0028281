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
//     type 1 (event): strings are u16 length + UTF-8 bytes, optional strings use length 0xFFFF
//       for "absent"; lists are u8 count + items; the body is u32 length + bytes.
//       source, peer, client, method, path,
//       headers (u8 count, then name and value strings: content-type, the signature header,
//         user-agent, x-forwarded-for, x-real-ip as received),
//       body, verified_by,
//       id, provider, kind, payment_id?, merchant_ref?, status (u8: 0 created, 1 pending, 2 failed,
//         3 expired, 4 cancelled, 5 succeeded, 6 refunded, 7 unknown; fixed codes, see statusCode),
//       provider_status?, provider_event?, amount?, currency?, occurred_at?, quarantined?
//     type 2 (duplicate): source, peer, client, id, original_seq u64
//     type 3 and later: opaque bytes
//
// Bounds (TigerBeetle style, asserted after read): strings <= 65,534 bytes, headers <= 255,
// body <= record_bytes_max. Tighter, configurable bounds (`LogLimits`) are checked on submit.
//
// Recovery (LevelDB style): a frame that is cut short by the end of the last segment, that ends
// exactly at its end with a bad CRC, or whose bytes to the end of the last segment are all zero,
// is a torn write that was never acknowledged: it is cut off (ftruncate + fsync). Any other bad
// frame, header, seq gap or undecodable payload is damage: start-up stops and names the segment
// file and byte offset.

import PayhookCore

/// Constants of the on-disk format (see the comment at the top of `LogFormat.swift`).
public enum LogFormat {
    public static let version: UInt16 = 1
    public static let magic: [UInt8] = Array("PAYHKLOG".utf8)
    public static let segmentHeaderBytes = 32
    public static let frameHeaderBytes = 8
    /// The largest payload a frame may announce; larger is damage. 16 MiB.
    public static let recordBytesMax = 16 * 1024 * 1024
    /// u16 length 0xFFFF marks an absent optional string.
    static let absent: UInt16 = 0xFFFF
    public static let stringBytesMax = 65_534
    public static let headerCountMax = 255
    public static let segmentSuffix = ".seg"

    /// The on-disk code of a status. Fixed by the format, not derived from the enum's order, so
    /// reordering or extending `PaymentStatus` never changes what stored records mean.
    public static func statusCode(_ status: PaymentStatus) -> UInt8 {
        switch status {
        case .created: 0
        case .pending: 1
        case .failed: 2
        case .expired: 3
        case .cancelled: 4
        case .succeeded: 5
        case .refunded: 6
        case .unknown: 7
        }
    }

    /// The status of an on-disk code; `nil` for a code this version does not know (damage).
    public static func status(code: UInt8) -> PaymentStatus? {
        PaymentStatus.allCases.first { statusCode($0) == code }
    }

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

/// Kinds of records; the type byte lets later versions add kinds without a format change.
public enum RecordType: UInt8, Sendable {
    case event = 1
    case duplicate = 2
    case hookParked = 3
}

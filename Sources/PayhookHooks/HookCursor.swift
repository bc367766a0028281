// Hook cursor file format, version 1 (storage.dir/hooks/<hook name>.cursor). This comment is
// the specification. All integers little-endian.
//
//   magic      8 bytes  "PAYHKCUR"
//   version    u16      1
//   reserved   u16      0
//   scan_seq   u64      the next log seq to read: every seq below it is delivered, parked,
//                       filtered out, not an event, or listed below
//   count      u32      pending entries, 0 ... maxPendingEntries
//   pending    count x 20 bytes, seqs strictly ascending, each < scan_seq:
//     seq                u64
//     first_attempt_ms   i64   Unix ms of the first attempt, 0 if never attempted
//     attempts           u32   attempts made so far
//   crc        u32      CRC32C of every byte before it
//
// Why a scan position plus a list, not one low-water mark: a payment that fails for hours
// would pin a low-water mark, and a crash would then resend everything delivered since. Here a
// restart resends only the listed seqs (what was held or in flight: at most max_held_events +
// max_in_flight) and resumes reading at scan_seq. The file is replaced whole (write, fsync,
// rename, fsync dir), so a reader sees an old or a new cursor, never a mix; one that does not
// decode is damage (the caller stops and names the file), never "start from 0".

/// A hook's durable progress (format above).
public struct HookCursor: Sendable, Equatable {
    /// One event not yet done, with what the retry policy needs after a restart.
    public struct Pending: Sendable, Equatable {
        public var seq: UInt64
        /// Unix ms of the first attempt; 0 when none was made. Kept so that `retry_max_age`
        /// counts from the first attempt across restarts.
        public var firstAttemptMs: Int64
        public var attempts: UInt32

        public init(seq: UInt64, firstAttemptMs: Int64 = 0, attempts: UInt32 = 0) {
            self.seq = seq
            self.firstAttemptMs = firstAttemptMs
            self.attempts = attempts
        }
    }

    public var scanSeq: UInt64
    /// Ascending by seq, each below `scanSeq`.
    public var pending: [Pending]

    public init(scanSeq: UInt64, pending: [Pending] = []) {
        self.scanSeq = scanSeq
        self.pending = pending
    }

    public static let magic: [UInt8] = Array("PAYHKCUR".utf8)
    public static let version: UInt16 = 1
    static let headerBytes = 24
    static let entryBytes = 20
    /// The most entries a file may hold (16 M, 320 MiB); more is damage, not a big hook.
    public static let maxPendingEntries = 1 << 24

    /// Why bytes are not a cursor.
    public enum DecodeError: Error, Sendable, Equatable {
        case tooShort(bytes: Int)
        case badMagic
        case unsupportedVersion(UInt16)
        case badCRC
        /// The size does not match the count (a truncated or padded file).
        case badLength(count: UInt32, bytes: Int)
        /// Pending seqs not strictly ascending, or not below scan_seq.
        case badPendingSeq(index: Int)
    }

    public func encode() -> [UInt8] {
        precondition(pending.count <= Self.maxPendingEntries, "cursor too large")
        var b: [UInt8] = []
        b.reserveCapacity(Self.headerBytes + pending.count * Self.entryBytes + 4)
        b.append(contentsOf: Self.magic)
        LittleEndian.put(UInt64(Self.version), 2, &b)
        LittleEndian.put(0, 2, &b)
        LittleEndian.put(scanSeq, 8, &b)
        LittleEndian.put(UInt64(pending.count), 4, &b)
        for p in pending {
            precondition(p.seq < scanSeq, "a pending seq must lie below the scan position")
            LittleEndian.put(p.seq, 8, &b)
            LittleEndian.put(UInt64(bitPattern: p.firstAttemptMs), 8, &b)
            LittleEndian.put(UInt64(p.attempts), 4, &b)
        }
        LittleEndian.put(UInt64(LittleEndian.crc32c(b[...])), 4, &b)
        return b
    }

    public static func decode(_ b: [UInt8]) throws(DecodeError) -> HookCursor {
        guard b.count >= headerBytes + 4 else { throw .tooShort(bytes: b.count) }
        guard b[0..<8].elementsEqual(magic) else { throw .badMagic }
        // The CRC first: a flipped bit anywhere, the version included, is damage.
        guard UInt32(LittleEndian.get(b, b.count - 4, 4)) == LittleEndian.crc32c(b[0..<(b.count - 4)]) else { throw .badCRC }
        let version = UInt16(LittleEndian.get(b, 8, 2))
        guard version == Self.version else { throw .unsupportedVersion(version) }
        let count = UInt32(LittleEndian.get(b, 20, 4))
        guard Int(count) <= maxPendingEntries, b.count == headerBytes + Int(count) * entryBytes + 4 else {
            throw .badLength(count: count, bytes: b.count)
        }
        var cursor = HookCursor(scanSeq: LittleEndian.get(b, 12, 8))
        cursor.pending.reserveCapacity(Int(count))
        for i in 0..<Int(count) {
            let at = headerBytes + i * entryBytes
            let p = Pending(
                seq: LittleEndian.get(b, at, 8), firstAttemptMs: Int64(bitPattern: LittleEndian.get(b, at + 8, 8)),
                attempts: UInt32(LittleEndian.get(b, at + 16, 4)))
            guard p.seq < cursor.scanSeq, cursor.pending.last.map({ $0.seq < p.seq }) ?? true else {
                throw .badPendingSeq(index: i)
            }
            cursor.pending.append(p)
        }
        return cursor
    }
}

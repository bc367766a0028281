// The bytes of a `hook_parked` log record (record type 3, `RecordType.hookParked`), version 1.
// This comment is the specification. Integers little-endian; strings are a u32 byte length and
// the UTF-8 bytes.
//
//   version          u8    1
//   hook             str   the hook's name
//   seq              u64   the parked event's seq
//   attempts         u32
//   first_attempt_ms i64   Unix ms
//   last_attempt_ms  i64   Unix ms
//   event_id         str
//   last_error       str   why the last attempt failed ("" when unknown)
//   event_json       str   the payhook.event/v1 JSON as it was sent
//
// Why the event JSON is inside: retention may delete the original segment once every hook has
// delivered or parked it, and a parked event must stay retriable from its park record alone.

/// A park record with what a retry needs: the hook, the event's JSON, the last error.
public struct ParkedEvent: Sendable, Equatable {
    public var hook: String
    public var record: ParkRecord
    public var lastError: String
    public var eventJSON: [UInt8]

    public init(hook: String, record: ParkRecord, lastError: String, eventJSON: [UInt8]) {
        self.hook = hook
        self.record = record
        self.lastError = lastError
        self.eventJSON = eventJSON
    }

    public static let version: UInt8 = 1

    public func encode() -> [UInt8] {
        var b: [UInt8] = [Self.version]
        Self.putString(hook, &b)
        LittleEndian.put(record.seq, 8, &b)
        LittleEndian.put(UInt64(record.attempts), 4, &b)
        LittleEndian.put(UInt64(bitPattern: record.firstAttemptMs), 8, &b)
        LittleEndian.put(UInt64(bitPattern: record.lastAttemptMs), 8, &b)
        Self.putString(record.eventID, &b)
        Self.putString(lastError, &b)
        LittleEndian.put(UInt64(eventJSON.count), 4, &b)
        b += eventJSON
        return b
    }

    /// Nil when the bytes are not a version-1 park record.
    public static func decode(_ b: [UInt8]) -> ParkedEvent? {
        var at = 0
        guard b.first == version else { return nil }
        at = 1
        guard let hook = string(b, &at), let seq = get(b, &at, 8), let attempts = get(b, &at, 4), let first = get(b, &at, 8),
            let last = get(b, &at, 8), let id = string(b, &at), let error = string(b, &at), let json = bytes(b, &at), at == b.count
        else { return nil }
        let record = ParkRecord(
            seq: seq, eventID: id, attempts: UInt32(attempts), firstAttemptMs: Int64(bitPattern: first), lastAttemptMs: Int64(bitPattern: last))
        return ParkedEvent(hook: hook, record: record, lastError: error, eventJSON: json)
    }

    private static func putString(_ s: String, _ b: inout [UInt8]) {
        LittleEndian.put(UInt64(s.utf8.count), 4, &b)
        b += s.utf8
    }

    private static func get(_ b: [UInt8], _ at: inout Int, _ n: Int) -> UInt64? {
        guard at + n <= b.count else { return nil }
        var v: UInt64 = 0
        for i in 0..<n { v |= UInt64(b[at + i]) << (8 * UInt64(i)) }
        at += n
        return v
    }

    private static func bytes(_ b: [UInt8], _ at: inout Int) -> [UInt8]? {
        guard let n = get(b, &at, 4), at + Int(n) <= b.count else { return nil }
        defer { at += Int(n) }
        return Array(b[at..<(at + Int(n))])
    }

    private static func string(_ b: [UInt8], _ at: inout Int) -> String? {
        bytes(b, &at).map { String(decoding: $0, as: UTF8.self) }
    }
}

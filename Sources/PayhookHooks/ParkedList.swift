import PayhookCore

// Parked events file, version 1 (storage.dir/hooks/<hook name>.parked). This comment is the
// specification. Integers little-endian.
//
//   magic    8 bytes  "PAYHKPRK"
//   version  u16      1
//   reserved u16      0
//   count    u32      entries, 0 ... maxEntries
//   entries  count x (u32 byte length, then a `hook_parked` record's bytes, ParkRecord+Codec.swift),
//            seqs strictly ascending
//   crc      u32      CRC32C of every byte before it
//
// Why a file of its own, and not the park records in the log: the park record is the audit
// trail, but once the hook's cursor has passed it, retention may delete its segment. The list of
// what is parked *now* must survive that, and must shrink when a parked event is delivered
// (`retry-parked`, `replay`): an "unparked" record in the log would need a scan of the whole log
// at start to know the current set. The file is replaced whole (write, fsync, rename, fsync dir)
// by the cursor writer thread, before the cursor that counts the event as done.

/// The events a hook has parked and not delivered since (format above).
public struct ParkedList: Sendable, Equatable {
    /// By seq.
    public private(set) var events: [UInt64: ParkedEvent] = [:]

    public init(_ events: [ParkedEvent] = []) {
        for e in events { self.events[e.record.seq] = e }
    }

    public static let magic: [UInt8] = Array("PAYHKPRK".utf8)
    public static let version: UInt16 = 1
    /// More entries than this is damage, not a list (16 M).
    public static let maxEntries = 1 << 24

    public var count: Int { events.count }
    public var seqs: [UInt64] { events.keys.sorted() }
    public subscript(seq: UInt64) -> ParkedEvent? { events[seq] }

    /// Adds or replaces the entry of `event.record.seq` (an event parked again after a retry).
    public mutating func insert(_ event: ParkedEvent) { events[event.record.seq] = event }

    /// Removes `seq` (delivered); returns whether it was listed.
    @discardableResult
    public mutating func remove(_ seq: UInt64) -> Bool { events.removeValue(forKey: seq) != nil }

    public enum DecodeError: Error, Sendable, Equatable {
        case tooShort(bytes: Int)
        case badMagic
        case unsupportedVersion(UInt16)
        case badCRC
        case badEntry(index: Int)
        case trailingBytes
    }

    public func encode() -> [UInt8] {
        var b: [UInt8] = Self.magic
        LittleEndian.put(UInt64(Self.version), 2, &b)
        LittleEndian.put(0, 2, &b)
        LittleEndian.put(UInt64(events.count), 4, &b)
        for seq in seqs {
            let bytes = events[seq]!.encode()
            LittleEndian.put(UInt64(bytes.count), 4, &b)
            b += bytes
        }
        LittleEndian.put(UInt64(LittleEndian.crc32c(b[...])), 4, &b)
        return b
    }

    public static func decode(_ b: [UInt8]) throws(DecodeError) -> ParkedList {
        guard b.count >= 20 else { throw .tooShort(bytes: b.count) }
        guard b[0..<8].elementsEqual(magic) else { throw .badMagic }
        guard UInt32(LittleEndian.get(b, b.count - 4, 4)) == LittleEndian.crc32c(b[0..<(b.count - 4)]) else { throw .badCRC }
        let version = UInt16(LittleEndian.get(b, 8, 2))
        guard version == Self.version else { throw .unsupportedVersion(version) }
        let count = Int(LittleEndian.get(b, 12, 4))
        guard count <= maxEntries else { throw .badEntry(index: 0) }
        var list = ParkedList()
        var at = 16
        var last: UInt64 = 0
        for i in 0..<count {
            guard at + 4 <= b.count - 4 else { throw .badEntry(index: i) }
            let n = Int(LittleEndian.get(b, at, 4))
            at += 4
            guard n <= b.count - 4 - at, let e = ParkedEvent.decode(Array(b[at..<(at + n)])), e.record.seq > last || i == 0 else {
                throw .badEntry(index: i)
            }
            last = e.record.seq
            list.insert(e)
            at += n
        }
        guard at == b.count - 4 else { throw .trailingBytes }
        return list
    }
}

extension HookEvent {
    /// The summary of a parked event, from the `payhook.event/v1` JSON its park record kept (the
    /// log record may be gone). Nil when the JSON does not parse or lacks the fields.
    public init?(seq: UInt64, eventJSON: [UInt8]) {
        guard let v = try? JSONParser.parse(eventJSON), let id = v["id"]?.stringValue, let source = v["source"]?.stringValue,
            let status = v["status"]?.stringValue.flatMap(PaymentStatus.init(rawValue:)), let kind = v["kind"]?.stringValue
        else { return nil }
        let quarantined = v["quarantined"]?.stringValue != nil
        self.init(seq: seq, id: id, source: source, paymentID: v["payment_id"]?.stringValue, status: status, kind: kind, quarantined: quarantined)
    }
}

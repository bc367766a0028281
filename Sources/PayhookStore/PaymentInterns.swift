import PayhookCore
import PayhookLog
import Synchronization

/// The small strings payments repeat (source, provider, kind, provider_status, currency), kept
/// once for the whole table; a record names them by position. Append-only: an entry is never
/// removed (so a copy of the table that shares the list still reads every record it holds), and
/// a string is interned the first time it is seen or never, so one string always has one tag.
///
/// Bounded: a provider could send a new `provider_status` or currency on every event. Past
/// `entriesMax` entries, or for strings longer than `stringBytesMax`, records keep the string
/// inline (a few bytes more, nothing lost).
struct PaymentInterns: Sendable {
    /// Most entries the list takes (providers send tens of distinct statuses and currencies).
    static let entriesMax = 4096
    /// Longest string interned, in UTF-8 bytes (currencies and statuses are short; an id is not).
    static let stringBytesMax = 32
    /// Lists up to this long are searched by scanning, longer ones through `ids`.
    static let scanMax = 16

    private(set) var strings: [String] = []
    /// Every entry's UTF-8 back to back, and where each ends: a status answer and a probe read
    /// an entry's bytes from here (`withUTF8`), with no `String` retained, released and opened
    /// per field (a fifth of the retains and releases of a status query).
    private var utf8: [UInt8] = []
    private var utf8Ends: [UInt32] = []
    private var ids: [ByteString: Int] = [:]
    /// This list's state, unique in the process: each entry added takes a new stamp (0: empty).
    /// A record names interned strings by position, so its bytes read the same under one
    /// stamp; under another (a list that grew, or another table's) they may not. What a cache
    /// of answers keyed by record bytes checks (`PaymentRecordBytes`).
    private(set) var stamp: UInt64 = 0
    private static let stamps = Atomic<UInt64>(0)
    /// `PaymentTable.hashPrefix(source:)` of each entry, computed once when it is added.
    private var hashPrefixes: [UInt64] = []

    var count: Int { strings.count }

    subscript(id: Int) -> String { strings[id] }

    /// Calls `body` with the entries' bytes (valid inside it only).
    func withUTF8<R>(_ body: (InternedUTF8) -> R) -> R {
        utf8.withUnsafeBufferPointer { bytes in utf8Ends.withUnsafeBufferPointer { ends in body(InternedUTF8(bytes: bytes, ends: ends)) } }
    }

    /// The key hash's state after entry `id` as a source (`PaymentTable.hashPrefix`).
    func hashPrefix(_ id: Int) -> UInt64 { hashPrefixes[id] }

    /// The record tag for `s` (`PaymentRecord`): absent, its intern entry (added when there is
    /// room), or inline.
    mutating func tag(_ s: String?) -> UInt64 {
        guard let s else { return PaymentRecord.tagAbsent }
        // A short list is scanned (every fold tags five fields; hashing each costs more than
        // comparing a few lengths); a longer one is looked up.
        if strings.count <= Self.scanMax {
            let n = s.utf8.count
            for (id, e) in strings.enumerated() where e.utf8.count == n && e.utf8.elementsEqual(s.utf8) {
                return PaymentRecord.tagInternBase + UInt64(id)
            }
        } else if let id = ids[ByteString(s)] {
            return PaymentRecord.tagInternBase + UInt64(id)
        }
        let key = ByteString(s)
        guard strings.count < Self.entriesMax, s.utf8.count <= Self.stringBytesMax else { return PaymentRecord.tagInline }
        ids[key] = strings.count
        strings.append(s)
        utf8.append(contentsOf: s.utf8)
        utf8Ends.append(UInt32(utf8.count))
        stamp = Self.stamps.add(1, ordering: .relaxed).newValue
        hashPrefixes.append(PaymentTable.hashPrefix(source: s.utf8))
        return PaymentRecord.tagInternBase + UInt64(strings.count - 1)
    }

    /// The list as a snapshot's shard 0 carries it (`PaymentTable.encodeShard`).
    func encode(into w: inout ByteWriter) {
        w.u32(UInt32(strings.count))
        for s in strings { w.string(s) }
    }

    /// Reads a list `encode` wrote. A table that already holds entries takes the list only if it
    /// starts with them (records decoded before it would otherwise name other strings).
    mutating func decode(from r: inout ByteReader) throws(DecodeError) {
        let n = try r.u32("intern count")
        guard n <= Self.entriesMax else { throw DecodeError(offset: r.offset, what: "intern count \(n) is over \(Self.entriesMax)") }
        var read: [String] = []
        var seen = Set<ByteString>()
        for _ in 0..<n {
            let s = try r.string("interned string")
            guard s.utf8.count <= Self.stringBytesMax, seen.insert(ByteString(s)).inserted else {
                throw DecodeError(offset: r.offset, what: "interned string is too long or repeated")
            }
            read.append(s)
        }
        guard read.count >= strings.count, zip(read, strings).allSatisfy({ ByteString($0) == ByteString($1) }) else {
            throw DecodeError(offset: r.offset, what: "intern list disagrees with the table's")
        }
        for s in read.dropFirst(strings.count) { _ = tag(s) }
    }

    func heapBytes() -> Int {
        var bytes = HeapCost.array(capacity: strings.capacity, stride: MemoryLayout<String>.stride)
        bytes += HeapCost.array(capacity: utf8.capacity, stride: 1) + HeapCost.array(capacity: utf8Ends.capacity, stride: 4)
        bytes += HeapCost.array(capacity: hashPrefixes.capacity, stride: MemoryLayout<UInt64>.stride)
        bytes += HeapCost.dictionary(capacity: ids.capacity, keyStride: MemoryLayout<ByteString>.stride, valueStride: MemoryLayout<Int>.stride)
        // Each string's storage is shared by the list and the dictionary's key.
        for s in strings { bytes += HeapCost.string(s) }
        return bytes
    }
}

/// `PaymentInterns`' entries as bytes (`PaymentInterns.withUTF8`): entry `id` is the bytes from
/// where entry `id - 1` ends to where it ends.
struct InternedUTF8 {
    let bytes: UnsafeBufferPointer<UInt8>
    let ends: UnsafeBufferPointer<UInt32>

    subscript(id: Int) -> UnsafeBufferPointer<UInt8> {
        let start = id == 0 ? 0 : Int(ends[id - 1])
        return UnsafeBufferPointer(rebasing: bytes[start..<Int(ends[id])])
    }
}

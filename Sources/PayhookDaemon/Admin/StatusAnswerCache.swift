import Glibc
import PayhookStore

/// Status answers (`GET /v1/payments/{source}/{payment_id}`) kept by all they are written
/// from: the payment's record bytes (its key and every field), the intern list's stamp (what
/// the record's interned fields name) and the source's signature scheme (what `unsigned`
/// lists). The answer is a function of these three alone, so an entry whose three match holds
/// the bytes rendering would write now. Nothing is ever invalidated: a payment that changed
/// has a new record, and its old entry no longer matches.
///
/// Four-way set-associative by the key's hash (a direct-mapped table of 4,096 entries left
/// two keys of 2,000 sharing an entry more than a third of the time, and they took turns; with
/// four ways, a set of more keys than ways still turns over, so the default holds four times
/// the 2,000 payments of the benchmark):
/// `capacity` entries at most (`status_cache_entries`, 0 keeps none), each of up to
/// `entryBytes` of record and answer (a longer answer is rendered every time); a set's least
/// recently used entry makes room. Memory is reserved at start and touched as entries fill.
/// Loop thread only.
final class StatusAnswerCache {
    /// Record and answer bytes of one entry at most: an answer is about 320 bytes and its
    /// record about 70; one with long ids or references may not fit, and is rendered each time.
    static let entryBytes = 512
    /// Entries a key may be kept in.
    static let ways = 4

    /// Entries: `sets * ways`, at most the configured count.
    let capacity: Int
    private let ways: Int
    private let sets: Int
    private let storage: UnsafeMutableRawPointer?
    private var entries: [Entry]
    /// Counts lookups, for least-recently-used order.
    private var clock: UInt64 = 0
    /// Lookups answered from an entry, and the ones that were not (rendered, then kept).
    private(set) var hits = 0
    private(set) var misses = 0

    private struct Entry {
        /// 0: empty (a record is 14 bytes at least).
        var recordCount = 0
        var answerCount = 0
        var internStamp: UInt64 = 0
        var usedAt: UInt64 = 0
        var scheme = ""
    }

    init(capacity entries: Int) {
        precondition(entries >= 0, "negative cache capacity")
        ways = min(Self.ways, entries)
        sets = ways == 0 ? 0 : entries / ways
        capacity = sets * ways
        storage = capacity > 0 ? UnsafeMutableRawPointer.allocate(byteCount: capacity * Self.entryBytes, alignment: 16) : nil
        self.entries = Array(repeating: Entry(), count: capacity)
    }

    deinit { storage?.deallocate() }

    /// Entries that hold an answer.
    var count: Int { entries.reduce(0) { $0 + ($1.recordCount > 0 ? 1 : 0) } }

    /// The kept answer for `record` under `scheme`, if this cache holds it (valid until the
    /// next `store`).
    func answer(for record: PaymentRecordBytes, scheme: String) -> UnsafeRawBufferPointer? {
        guard let storage else { return nil }
        clock &+= 1
        let first = set(record.keyHash) * ways
        let now = clock
        let hit = entries.withUnsafeMutableBufferPointer { e -> UnsafeRawBufferPointer? in
            for i in first..<first + ways {
                guard e[i].recordCount == record.bytes.count, e[i].internStamp == record.internStamp, e[i].scheme == scheme else { continue }
                let base = storage + i * Self.entryBytes
                guard memcmp(base, record.bytes.baseAddress!, record.bytes.count) == 0 else { continue }
                e[i].usedAt = now
                return UnsafeRawBufferPointer(start: base + record.bytes.count, count: e[i].answerCount)
            }
            return nil
        }
        if hit == nil { misses += 1 } else { hits += 1 }
        return hit
    }

    /// Keeps `answer`, rendered from `record` under `scheme`, in place of the least recently
    /// used entry of its key's set; an answer too long for an entry is not kept.
    func store(_ record: PaymentRecordBytes, scheme: String, answer: UnsafeRawBufferPointer) {
        guard let storage, record.bytes.count + answer.count <= Self.entryBytes, let from = record.bytes.baseAddress else { return }
        clock &+= 1
        let first = set(record.keyHash) * ways
        // An empty entry (used at 0) first, else the least recently used.
        var i = first
        for j in first..<first + ways where entries[j].usedAt < entries[i].usedAt { i = j }
        let base = storage + i * Self.entryBytes
        base.copyMemory(from: from, byteCount: record.bytes.count)
        if let a = answer.baseAddress { (base + record.bytes.count).copyMemory(from: a, byteCount: answer.count) }
        entries[i] = Entry(recordCount: record.bytes.count, answerCount: answer.count, internStamp: record.internStamp, usedAt: clock, scheme: scheme)
    }

    /// The set of a key hash: its high bits scaled to the set count (a multiply, no division).
    private func set(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash.multipliedFullWidth(by: UInt64(sets)).high) }
}

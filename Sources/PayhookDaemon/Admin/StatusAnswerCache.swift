import CLinuxShim
import Glibc
import PayhookStore

/// Status answers (`GET /v1/payments/{source}/{payment_id}`) kept by payment, with all they are
/// written from: the payment's record bytes (its key and every field), the intern list's stamp
/// (what the record's interned fields name) and the source's signature scheme (what `unsigned`
/// lists). The answer is a function of these alone.
///
/// Two ways to know an entry still holds the answer rendering would write now:
/// - **by stamp**, before the index is read: the payment's change stamp
///   (`PaymentChangeStamp`, taken from the index in a load or two) is the one the entry was
///   kept under. Nothing in the payment's group of shards changed since, so neither did its
///   record. A query then touches this entry and nothing of the index but the stamp: the probe
///   through shard, slots and arena was most of a query's cache misses.
/// - **by content**, when the stamp moved (another payment of the group changed, or this one):
///   the index's record bytes are the entry's, byte for byte, under the same intern stamp. The
///   entry takes the new stamp. A payment that changed has other bytes, and is rendered again.
///
/// Four-way set-associative by the key's hash (a direct-mapped table of 4,096 entries left two
/// keys of 2,000 sharing an entry more than a third of the time, and they took turns; with four
/// ways, a set of more keys than ways still turns over, so the default holds four times the
/// 2,000 payments of the benchmark). Each set's four key hashes lie together in `tags` (a set
/// is read in one cache line); an entry is one block: its stamps, its sizes, then source,
/// payment id, scheme, record and answer back to back. `capacity` entries at most
/// (`status_cache_entries`, 0 keeps none), each of up to `entryBytes` in all (a longer answer is
/// rendered every time); a set's least recently used entry makes room. Memory is reserved at
/// start and touched as entries fill. Loop thread only.
final class StatusAnswerCache {
    /// One entry's block at most: its header, key, scheme, record (about 70 bytes) and answer
    /// (about 320); one with long ids or references may not fit, and is rendered each time.
    static let entryBytes = 640
    /// Entries a key may be kept in.
    static let ways = 4

    /// What a query asks for: the payment's key (its hash, `PaymentTable.hash`, and its bytes)
    /// under its source's scheme.
    struct Key {
        var hash: UInt64
        var source: UnsafeRawBufferPointer
        var paymentID: UnsafeRawBufferPointer
        var scheme: UnsafeRawBufferPointer
    }

    /// Entries: `sets * ways`, at most the configured count.
    let capacity: Int
    private let ways: Int
    private let sets: Int
    private let blocks: UnsafeMutableRawPointer?
    /// Each entry's key hash with its low bit set, 0 for an empty entry.
    private let tags: UnsafeMutablePointer<UInt64>?
    /// Counts lookups, for least-recently-used order.
    private var clock: UInt64 = 0
    /// Queries answered from an entry (by stamp or by content), and the ones rendered.
    private(set) var hits = 0
    private(set) var misses = 0

    /// An entry block's header: the stamps it is valid under, its last use and its field sizes.
    private enum Header {
        static let group = 0
        static let interns = 8
        static let usedAt = 16
        /// Five UInt16 sizes: source, payment id, scheme, record, answer.
        static let sizes = 24
        static let bytes = 40
    }

    init(capacity entries: Int) {
        precondition(entries >= 0, "negative cache capacity")
        ways = min(Self.ways, entries)
        sets = ways == 0 ? 0 : entries / ways
        capacity = sets * ways
        blocks = capacity > 0 ? UnsafeMutableRawPointer.allocate(byteCount: capacity * Self.entryBytes, alignment: 64) : nil
        tags = capacity > 0 ? UnsafeMutablePointer<UInt64>.allocate(capacity: capacity) : nil
        tags?.initialize(repeating: 0, count: capacity)
    }

    deinit {
        blocks?.deallocate()
        tags?.deallocate()
    }

    /// Entries that hold an answer.
    var count: Int { (0..<capacity).reduce(0) { $0 + (tags![$1] != 0 ? 1 : 0) } }

    /// The kept answer for `key` if its entry was kept (or last confirmed) under `stamp`: no
    /// need to read the index (valid until the next `store`). Nil counts nothing: the caller
    /// goes on to the record.
    func answer(for key: Key, stamp: PaymentChangeStamp) -> UnsafeRawBufferPointer? {
        guard let e = entry(key) else { return nil }
        guard e.load(fromByteOffset: Header.group, as: UInt64.self) == stamp.group,
            e.load(fromByteOffset: Header.interns, as: UInt64.self) == stamp.interns
        else { return nil }
        return hit(e)
    }

    /// The kept answer for `key` if its entry was written from `record`'s very bytes under its
    /// intern stamp; the entry then takes `stamp`, the payment's change stamp now. Nil is a
    /// miss: the caller renders and `store`s.
    func answer(for key: Key, record: PaymentRecordBytes, stamp: PaymentChangeStamp) -> UnsafeRawBufferPointer? {
        guard let e = entry(key), e.load(fromByteOffset: Header.interns, as: UInt64.self) == record.internStamp,
            Self.same(Self.field(e, 3), UnsafeRawBufferPointer(record.bytes))
        else {
            if blocks != nil { misses += 1 }
            return nil
        }
        e.storeBytes(of: stamp.group, toByteOffset: Header.group, as: UInt64.self)
        e.storeBytes(of: stamp.interns, toByteOffset: Header.interns, as: UInt64.self)
        return hit(e)
    }

    /// Keeps `answer`, rendered from `record` for `key` when the payment's change stamp was
    /// `stamp`: in place of the key's old entry, else of the least recently used entry of its
    /// set. An answer too long for an entry is not kept.
    func store(_ answer: UnsafeRawBufferPointer, for key: Key, record: PaymentRecordBytes, stamp: PaymentChangeStamp) {
        let fields = [key.source, key.paymentID, key.scheme, UnsafeRawBufferPointer(record.bytes), answer]
        guard let blocks, let tags, Header.bytes + fields.reduce(0, { $0 + $1.count }) <= Self.entryBytes else { return }
        clock &+= 1
        let first = set(key.hash) * ways
        // The key's entry if it has one, else an empty one (used at 0), else the least recently used.
        var i = first
        for j in first..<first + ways {
            if tags[j] == key.hash | 1 && matches(blocks + j * Self.entryBytes, key) {
                i = j
                break
            }
            if usedAt(j) < usedAt(i) { i = j }
        }
        let e = blocks + i * Self.entryBytes
        e.storeBytes(of: stamp.group, toByteOffset: Header.group, as: UInt64.self)
        e.storeBytes(of: stamp.interns, toByteOffset: Header.interns, as: UInt64.self)
        e.storeBytes(of: clock, toByteOffset: Header.usedAt, as: UInt64.self)
        var at = Header.bytes
        for (n, f) in fields.enumerated() {
            e.storeBytes(of: UInt16(f.count), toByteOffset: Header.sizes + 2 * n, as: UInt16.self)
            if let base = f.baseAddress { (e + at).copyMemory(from: base, byteCount: f.count) }
            at += f.count
        }
        tags[i] = key.hash | 1
    }

    /// Starts loading what a lookup of `hash` reads first: its set's tags and the first line of
    /// each of its entries (a hint, see `cshim_prefetch`; the caller works meanwhile).
    func prefetch(hash: UInt64) {
        guard let blocks, let tags else { return }
        let first = set(hash) * ways
        cshim_prefetch(tags + first)
        for i in first..<first + ways { cshim_prefetch(blocks + i * Self.entryBytes) }
    }

    /// The entry that holds `key` (its block), if any. The block's other lines start loading as
    /// soon as its tag matches: the key is compared and the answer copied from them next.
    private func entry(_ key: Key) -> UnsafeMutableRawPointer? {
        guard let blocks, let tags else { return nil }
        let first = set(key.hash) * ways
        let tag = key.hash | 1
        for i in first..<first + ways where tags[i] == tag {
            let e = blocks + i * Self.entryBytes
            for line in stride(from: 64, to: Self.entryBytes, by: 64) { cshim_prefetch(e + line) }
            if matches(e, key) { return e }
        }
        return nil
    }

    private func hit(_ e: UnsafeMutableRawPointer) -> UnsafeRawBufferPointer {
        clock &+= 1
        hits += 1
        e.storeBytes(of: clock, toByteOffset: Header.usedAt, as: UInt64.self)
        return Self.field(e, 4)
    }

    private func matches(_ e: UnsafeMutableRawPointer, _ key: Key) -> Bool {
        Self.same(Self.field(e, 1), key.paymentID) && Self.same(Self.field(e, 0), key.source) && Self.same(Self.field(e, 2), key.scheme)
    }

    private func usedAt(_ i: Int) -> UInt64 {
        tags![i] == 0 ? 0 : blocks!.load(fromByteOffset: i * Self.entryBytes + Header.usedAt, as: UInt64.self)
    }

    /// Field `n` of an entry's block (source, payment id, scheme, record, answer).
    private static func field(_ e: UnsafeMutableRawPointer, _ n: Int) -> UnsafeRawBufferPointer {
        var at = Header.bytes
        for k in 0..<n { at += Int(e.load(fromByteOffset: Header.sizes + 2 * k, as: UInt16.self)) }
        return UnsafeRawBufferPointer(start: e + at, count: Int(e.load(fromByteOffset: Header.sizes + 2 * n, as: UInt16.self)))
    }

    private static func same(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
    }

    /// The set of a key hash: its high bits scaled to the set count (a multiply, no division).
    private func set(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash.multipliedFullWidth(by: UInt64(sets)).high) }
}

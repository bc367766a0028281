import PayhookCore
import PayhookStore

/// Payments by the text an operator types: a payment id or a merchant ref, matched exactly
/// (bytes, like the status index), answered from the payment table itself. A value: the loop
/// owns the live one (`ConsoleAPI`); the first is built on a thread of its own from a copy of
/// the index (`ConsoleAPI+Search.swift`).
///
/// A payment id needs no index: the text is looked up as an id under each source the table
/// holds (`sources`, a handful). A merchant ref goes through `shards`: one 64-bit entry per
/// payment with a ref, 32 bits of a digest of the ref and 32 bits locating the payment (its
/// table shard and the low 16 bits of its key hash, `PaymentTable.hash`), in 65,536 arrays
/// chosen by the digest's top 16 bits. A search walks the probe chains the candidates name and
/// keeps only the payments whose ref equals the text byte for byte: a digest collision costs a
/// probe, never a wrong answer. About 8 bytes a payment instead of two strings in a dictionary
/// (~300 bytes), and built by one raw pass over the table (no `PaymentState`, no string).
/// Entries whose payment expired or took another ref are pruned a few shards a turn; until
/// then they cost a probe, not an answer (a payment answers to its current ref only).
struct PaymentSearchIndex: Sendable {
    /// Merchant ref digest: 64 bits from the ref's bytes (tests force collisions with their own).
    typealias Digest = @Sendable (UnsafeBufferPointer<UInt8>) -> UInt64

    static let shardBits = 16
    static let shardCount = 1 << shardBits
    /// Shards pruned per turn (`prune`): a pass takes `shardCount / pruneShardsPerTurn` turns,
    /// as many as the index's own expiry pass (`LogIndex.expiryShardsPerTurn`).
    static let pruneShardsPerTurn = 256

    private let digest: Digest
    /// Entries by the ref digest's top 16 bits; empty until the first payment with a ref.
    private var shards: [[UInt64]] = []
    /// The sources of the payments seen (never pruned: a source without payments costs a miss).
    private(set) var sources: [String] = []
    /// The next shard to prune, while a pass is under way.
    private var pruneNext: Int?

    /// Entries held (payments with a merchant ref, and a few stale ones until pruned).
    private(set) var count = 0

    init(digest: @escaping Digest = PaymentSearchIndex.fnv1a) { self.digest = digest }

    /// FNV-1a over the bytes, finished by splitmix64's mixer so that the top bits (the shard)
    /// depend on every byte.
    static func fnv1a(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        var z = h ^ UInt64(bytes.count)
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// The shard and the entry of a payment (key hash `hash`) whose ref digests to `d`.
    static func entry(refDigest d: UInt64, paymentHash h: UInt64) -> (shard: Int, entry: UInt64) {
        (Int(d >> 48), (d >> 16 & 0xFFFF_FFFF) << 32 | locator(h))
    }

    /// The payment's table shard (top 16 bits of its hash) and the low 16 bits of its hash.
    static func locator(_ h: UInt64) -> UInt64 { (h >> 48) << 16 | (h & 0xFFFF) }

    /// Indexes every payment `index` holds, by one raw pass over its table.
    mutating func build(from index: LogIndex) {
        // Entries first go to one flat list so that each shard's array is allocated once,
        // exactly sized (appending shard by shard would leave up to half of each unused).
        var flat: [UInt64] = []
        var flatShards: [UInt16] = []
        flat.reserveCapacity(index.paymentCount)
        flatShards.reserveCapacity(index.paymentCount)
        var scan = PaymentSourceScan()
        let digest = self.digest
        index.scanPayments(shards: 0..<LogIndex.paymentShardCount, sources: &scan) { p in
            guard let ref = p.merchantRef, !ref.isEmpty else { return }
            let (s, e) = Self.entry(refDigest: digest(ref), paymentHash: p.keyHash)
            flat.append(e)
            flatShards.append(UInt16(s))
        }
        for source in scan.sources { note(source: source) }
        guard !flat.isEmpty else { return }
        // A counting sort by shard, then each shard's array copied from its contiguous run:
        // appending entry by entry to 65,536 arrays costs a cache miss and a uniqueness check
        // per entry (about a third of the build at 900k payments).
        var starts = [Int](repeating: 0, count: Self.shardCount + 1)
        for s in flatShards { starts[Int(s) + 1] += 1 }
        for s in 0..<Self.shardCount { starts[s + 1] += starts[s] }
        var next = starts
        var sorted = [UInt64](repeating: 0, count: flat.count)
        for (e, s) in zip(flat, flatShards) {
            sorted[next[Int(s)]] = e
            next[Int(s)] += 1
        }
        flat = []
        flatShards = []
        if shards.isEmpty { shards = Array(repeating: [], count: Self.shardCount) }
        for s in 0..<Self.shardCount where starts[s + 1] > starts[s] { shards[s] += sorted[starts[s]..<starts[s + 1]] }
        count += sorted.count
    }

    /// Records that payment `source`/`paymentID` carries `merchantRef` (an event of it was
    /// applied). Idempotent.
    mutating func add(source: String, paymentID: String, merchantRef: String?) {
        note(source: source)
        guard var ref = merchantRef, !ref.isEmpty else { return }
        let d = ref.withUTF8 { digest($0) }
        let (s, e) = Self.entry(refDigest: d, paymentHash: LogIndex.paymentHash(source: source, paymentID: paymentID))
        if shards.isEmpty { shards = Array(repeating: [], count: Self.shardCount) }
        guard !shards[s].contains(e) else { return }
        shards[s].append(e)
        count += 1
    }

    private mutating func note(source: String) {
        // Byte comparison over a handful of names: no allocation per event.
        guard !sources.contains(where: { $0.utf8.elementsEqual(source.utf8) }) else { return }
        sources.append(source)
    }

    /// The payments whose id or merchant ref is `text`, at most `limit`, in the order first
    /// seen (their first event's seq).
    func find(_ text: String, limit: Int, in index: LogIndex) -> [PaymentState] {
        guard limit > 0, !text.isEmpty else { return [] }
        var hits: [(firstSeq: UInt64, place: PaymentPlace)] = []
        var seen = Set<PaymentPlace>()
        var byID: [PaymentPlace: PaymentState] = [:]
        for source in sources {
            guard let place = index.place(source: source, paymentID: text), seen.insert(place).inserted else { continue }
            let p = index.payment(at: place)
            byID[place] = p
            hits.append((p.eventSeqs.first ?? 0, place))
        }
        var t = text
        t.withUTF8 { tb in
            let (s, e) = Self.entry(refDigest: digest(tb), paymentHash: 0)
            guard !shards.isEmpty else { return }
            for candidate in shards[s] where candidate >> 32 == e >> 32 {
                index.forEachPaymentInChains(shard: Int(candidate >> 16 & 0xFFFF), homeLow16: Int(candidate & 0xFFFF)) { p in
                    guard let ref = p.merchantRef, ref.count == tb.count, ref.elementsEqual(tb), seen.insert(p.place).inserted else { return }
                    hits.append((p.firstSeq, p.place))
                }
            }
        }
        hits.sort { $0.firstSeq < $1.firstSeq }
        return hits.prefix(limit).map { byID[$0.place] ?? index.payment(at: $0.place) }
    }

    /// Starts (or restarts) a pass that drops the entries whose payment is gone or no longer
    /// carries the ref.
    mutating func startPrune() { pruneNext = 0 }

    /// Prunes the next `shards` shards of the pass under way against `index`; true while the
    /// pass has shards left.
    mutating func prune(shards n: Int = pruneShardsPerTurn, in index: LogIndex) -> Bool {
        guard let first = pruneNext else { return false }
        let end = min(Self.shardCount, first + max(1, n))
        if !shards.isEmpty {
            for s in first..<end where !shards[s].isEmpty {
                var entries = shards[s]
                shards[s] = []  // unshared, so the filter below works in place
                let before = entries.count
                entries.removeAll { !Self.live($0, shard: s, in: index, digest: digest) }
                count -= before - entries.count
                shards[s] = entries.count * 2 < entries.capacity ? Array(entries) : entries
            }
        }
        pruneNext = end < Self.shardCount ? end : nil
        return pruneNext != nil
    }

    /// Whether a payment still answers to entry `e` of shard `s`: one in the chains it names
    /// whose hash and current ref give that very entry.
    private static func live(_ e: UInt64, shard s: Int, in index: LogIndex, digest: Digest) -> Bool {
        var found = false
        index.forEachPaymentInChains(shard: Int(e >> 16 & 0xFFFF), homeLow16: Int(e & 0xFFFF)) { p in
            guard !found, let ref = p.merchantRef, !ref.isEmpty, locator(p.keyHash) == e & 0xFFFF_FFFF else { return }
            found = entry(refDigest: digest(ref), paymentHash: p.keyHash) == (s, e)
        }
        return found
    }

    /// Heap bytes held (arrays' storage and headers), for figures and tests.
    func heapBytes() -> Int {
        var bytes = shards.capacity * MemoryLayout<[UInt64]>.stride
        for s in shards where s.capacity > 0 { bytes += 32 + s.capacity * 8 }
        return bytes + sources.count * MemoryLayout<String>.stride
    }
}

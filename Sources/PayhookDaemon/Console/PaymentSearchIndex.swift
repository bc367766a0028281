/// Payments by the text an operator types: a payment id or a merchant ref, matched exactly
/// (bytes, like the status index). Kept beside `LogIndex` in memory and fed the same events, so
/// a search is a dictionary lookup, never a log scan. Loop thread only.
///
/// Cost: one dictionary entry per distinct payment id and merchant ref, holding the keys of the
/// payments that carry it (usually one). Cut into `bucketCount` dictionaries so that payments
/// the index expired (bounded dedup) are pruned a few buckets a turn (`prune`), never in one
/// scan of everything.
struct PaymentSearchIndex {
    struct Key: Hashable, Sendable {
        var source: String
        var paymentID: String
    }
    /// Buckets pruned per turn (`prune`): a pass takes `bucketCount / pruneBucketsPerTurn` turns.
    static let bucketCount = 1024
    static let pruneBucketsPerTurn = 16
    private var buckets = [[String: [Key]]](repeating: [:], count: bucketCount)
    /// The next bucket to prune, while a pass is under way.
    private var pruneNext: Int?

    /// Distinct texts indexed (payment ids and merchant refs).
    private(set) var count = 0

    private static func bucket(_ text: String) -> Int { Int(UInt(bitPattern: text.hashValue) % UInt(bucketCount)) }

    /// Records that `source`/`paymentID` answers to its id and to `merchantRef`. Idempotent.
    mutating func add(source: String, paymentID: String, merchantRef: String?) {
        let key = Key(source: source, paymentID: paymentID)
        insert(paymentID, key)
        if let merchantRef, !merchantRef.isEmpty { insert(merchantRef, key) }
    }

    private mutating func insert(_ text: String, _ key: Key) {
        let b = Self.bucket(text)
        if buckets[b][text]?.contains(key) == true { return }
        if buckets[b][text] == nil { count += 1 }
        buckets[b][text, default: []].append(key)
    }

    /// The payments whose id or merchant ref is `text`, at most `limit`, in the order first seen.
    func find(_ text: String, limit: Int) -> [Key] { Array((buckets[Self.bucket(text)][text] ?? []).prefix(limit)) }

    /// Starts (or restarts) a pass that drops the payments the index no longer holds.
    mutating func startPrune() { pruneNext = 0 }

    /// Prunes the next `buckets` buckets of the pass under way, keeping the keys for which
    /// `exists` holds; true while the pass has buckets left.
    mutating func prune(buckets n: Int = pruneBucketsPerTurn, exists: (Key) -> Bool) -> Bool {
        guard let first = pruneNext else { return false }
        let end = min(Self.bucketCount, first + max(1, n))
        for b in first..<end {
            var doomed: [String] = []
            for (text, keys) in buckets[b] {
                let kept = keys.filter(exists)
                if kept.isEmpty {
                    doomed.append(text)
                } else if kept.count < keys.count {
                    buckets[b][text] = kept
                }
            }
            for text in doomed { buckets[b].removeValue(forKey: text) }
            count -= doomed.count
        }
        pruneNext = end < Self.bucketCount ? end : nil
        return pruneNext != nil
    }
}

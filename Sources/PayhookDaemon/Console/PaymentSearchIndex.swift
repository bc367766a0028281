/// Payments by the text an operator types: a payment id or a merchant ref, matched exactly
/// (bytes, like the status index). Kept beside `LogIndex` in memory and fed the same events, so
/// a search is a dictionary lookup, never a log scan. Loop thread only.
///
/// Cost: one dictionary entry per distinct payment id and merchant ref, holding the keys of the
/// payments that carry it (usually one).
struct PaymentSearchIndex {
    struct Key: Hashable, Sendable {
        var source: String
        var paymentID: String
    }
    private var byText: [String: [Key]] = [:]

    /// Distinct texts indexed (payment ids and merchant refs).
    var count: Int { byText.count }

    /// Records that `source`/`paymentID` answers to its id and to `merchantRef`. Idempotent.
    mutating func add(source: String, paymentID: String, merchantRef: String?) {
        let key = Key(source: source, paymentID: paymentID)
        insert(paymentID, key)
        if let merchantRef, !merchantRef.isEmpty { insert(merchantRef, key) }
    }

    private mutating func insert(_ text: String, _ key: Key) {
        if byText[text]?.contains(key) == true { return }
        byText[text, default: []].append(key)
    }

    /// The payments whose id or merchant ref is `text`, at most `limit`, in the order first seen.
    func find(_ text: String, limit: Int) -> [Key] { Array((byText[text] ?? []).prefix(limit)) }
}

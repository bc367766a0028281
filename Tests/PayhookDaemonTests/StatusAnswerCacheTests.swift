import Testing

@testable import PayhookDaemon
@testable import PayhookStore

/// `StatusAnswerCache`: an entry answers for its payment key and scheme only, by stamp while
/// the payment's change stamp is the one it was kept (or last confirmed) under, else by the
/// record's very bytes and intern stamp; sets make room least recently used first; the bounds
/// hold at N and N+1.
@Suite struct StatusAnswerCacheTests {
    struct Query {
        var hash: UInt64 = 7
        var source = "src"
        var id = "pay-1"
        var scheme = "s"
        var group: UInt64 = 1
        var interns: UInt64 = 1
        var stamp: PaymentChangeStamp { PaymentChangeStamp(group: group, interns: interns) }
    }

    /// Runs `body` with `q`'s key and `record` (its bytes under `q`'s intern stamp).
    func with<R>(_ q: Query, _ record: [UInt8], _ body: (StatusAnswerCache.Key, PaymentRecordBytes) -> R) -> R {
        Array(q.source.utf8).withUnsafeBytes { s in
            Array(q.id.utf8).withUnsafeBytes { i in
                Array(q.scheme.utf8).withUnsafeBytes { c in
                    record.withUnsafeBufferPointer { r in
                        body(
                            StatusAnswerCache.Key(hash: q.hash, source: s, paymentID: i, scheme: c),
                            PaymentRecordBytes(keyHash: q.hash, bytes: r, internStamp: q.interns))
                    }
                }
            }
        }
    }

    func keep(_ cache: StatusAnswerCache, _ q: Query = Query(), _ record: [UInt8], _ answer: String) {
        with(q, record) { key, r in Array(answer.utf8).withUnsafeBytes { cache.store($0, for: key, record: r, stamp: q.stamp) } }
    }

    /// The answer by stamp alone (no record read).
    func byStamp(_ cache: StatusAnswerCache, _ q: Query = Query()) -> String? {
        with(q, []) { key, _ in cache.answer(for: key, stamp: q.stamp).map { String(decoding: $0, as: UTF8.self) } }
    }

    /// The answer by the record's bytes (the entry then takes `q`'s stamp).
    func byRecord(_ cache: StatusAnswerCache, _ q: Query = Query(), _ record: [UInt8]) -> String? {
        with(q, record) { key, r in cache.answer(for: key, record: r, stamp: q.stamp).map { String(decoding: $0, as: UTF8.self) } }
    }

    let record = [UInt8](repeating: 0x41, count: 70)

    @Test("by stamp: an entry answers for its key, scheme and change stamp, and for nothing else")
    func byStampOnly() {
        let cache = StatusAnswerCache(capacity: 16)
        #expect(byStamp(cache) == nil)
        keep(cache, Query(), record, "answer")
        #expect(byStamp(cache) == "answer")
        #expect(byStamp(cache, Query(group: 2)) == nil, "something in the payment's group of shards changed")
        #expect(byStamp(cache, Query(interns: 2)) == nil, "the intern list grew or is another table's")
        #expect(byStamp(cache, Query(id: "pay-2")) == nil, "another payment with the same hash")
        #expect(byStamp(cache, Query(id: "pay-10")) == nil, "a longer id with the same hash")
        #expect(byStamp(cache, Query(source: "srd")) == nil, "another source with the same hash")
        #expect(byStamp(cache, Query(scheme: "t")) == nil, "the source's scheme changed on reload")
        #expect(cache.hits == 1 && cache.misses == 0, "a lookup by stamp that finds nothing is no miss yet")
    }

    @Test("by record: after the stamp moved, the same bytes under the same intern stamp answer and the entry takes the new stamp")
    func byRecordBytes() {
        let cache = StatusAnswerCache(capacity: 16)
        keep(cache, Query(), record, "answer")
        let moved = Query(group: 5)
        #expect(byStamp(cache, moved) == nil)
        #expect(byRecord(cache, moved, record) == "answer")
        #expect(byStamp(cache, moved) == "answer", "confirmed under the new stamp")
        #expect(byStamp(cache) == nil, "and no longer under the old one")
        var changed = record
        changed[69] = 0x42
        #expect(byRecord(cache, Query(group: 6), changed) == nil, "one byte of the record differs: another state of the payment")
        #expect(byRecord(cache, Query(group: 6), Array(record.dropLast())) == nil, "a shorter record")
        #expect(byRecord(cache, Query(group: 6, interns: 2), record) == nil, "the same bytes under another intern list")
        #expect(byStamp(cache, Query(group: 6)) == nil, "a failed check confirms nothing")
        #expect(cache.hits == 2 && cache.misses == 3)
    }

    @Test("a new answer for a key takes the place of its old one: a set does not fill with states of one payment")
    func replacesOwnEntry() {
        let cache = StatusAnswerCache(capacity: 4)
        var changed = record
        changed[0] = 0x42
        keep(cache, Query(), record, "old")
        keep(cache, Query(group: 2), changed, "new")
        #expect(cache.count == 1)
        #expect(byStamp(cache, Query(group: 2)) == "new" && byStamp(cache) == nil)
    }

    @Test("a set of four keeps four keys; a fifth takes the place of the least recently used")
    func leastRecentlyUsed() {
        let cache = StatusAnswerCache(capacity: 4)
        #expect(cache.capacity == 4)
        let queries = (0..<5).map { Query(hash: UInt64($0) * 2, id: "p\($0)") }
        for (n, q) in queries.prefix(4).enumerated() { keep(cache, q, record, "\(n)") }
        #expect(queries.prefix(4).allSatisfy { byStamp(cache, $0) != nil })
        #expect(cache.count == 4)
        _ = byStamp(cache, queries[0])
        keep(cache, queries[4], record, "4")
        #expect(byStamp(cache, queries[1]) == nil)
        #expect((0..<5).filter { $0 != 1 }.allSatisfy { byStamp(cache, queries[$0]) == "\($0)" })
    }

    @Test("capacity 0 keeps nothing; a count that is not a multiple of four keeps the whole sets below it")
    func capacities() {
        let none = StatusAnswerCache(capacity: 0)
        keep(none, Query(), record, "answer")
        #expect(byStamp(none) == nil && byRecord(none, Query(), record) == nil)
        #expect(none.capacity == 0 && none.hits == 0 && none.misses == 0 && none.count == 0)
        #expect(StatusAnswerCache(capacity: 1).capacity == 1)
        #expect(StatusAnswerCache(capacity: 3).capacity == 3)
        #expect(StatusAnswerCache(capacity: 6).capacity == 4)
        #expect(StatusAnswerCache(capacity: 8192).capacity == 8192)
    }

    @Test("an entry of entryBytes (header, key, scheme, record, answer) is kept, one byte more is not")
    func entryBound() {
        let cache = StatusAnswerCache(capacity: 4)
        let q = Query()
        let room = StatusAnswerCache.entryBytes - 40 - q.source.utf8.count - q.id.utf8.count - q.scheme.utf8.count - record.count
        let fits = String(repeating: "x", count: room)
        keep(cache, q, record, fits)
        #expect(byStamp(cache, q) == fits)
        let other = Query(hash: 9, id: "pay-2")
        keep(cache, other, record, fits + "x")
        #expect(byStamp(cache, other) == nil && byRecord(cache, other, record) == nil && cache.count == 1)
    }
}

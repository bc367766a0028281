import Testing

@testable import PayhookDaemon
@testable import PayhookStore

/// `StatusAnswerCache`: an entry answers only for the very bytes, intern stamp and scheme it was
/// kept for; sets make room least recently used first; the bounds hold at N and N+1.
@Suite struct StatusAnswerCacheTests {
    /// Runs `body` with a record of `bytes` under `hash` and `stamp`.
    func withRecord<R>(_ bytes: [UInt8], hash: UInt64 = 7, stamp: UInt64 = 1, _ body: (PaymentRecordBytes) -> R) -> R {
        bytes.withUnsafeBufferPointer { body(PaymentRecordBytes(keyHash: hash, bytes: $0, internStamp: stamp)) }
    }

    func keep(_ cache: StatusAnswerCache, _ record: [UInt8], hash: UInt64 = 7, stamp: UInt64 = 1, scheme: String = "s", _ answer: String) {
        withRecord(record, hash: hash, stamp: stamp) { r in Array(answer.utf8).withUnsafeBytes { cache.store(r, scheme: scheme, answer: $0) } }
    }

    func kept(_ cache: StatusAnswerCache, _ record: [UInt8], hash: UInt64 = 7, stamp: UInt64 = 1, scheme: String = "s") -> String? {
        withRecord(record, hash: hash, stamp: stamp) { r in cache.answer(for: r, scheme: scheme).map { String(decoding: $0, as: UTF8.self) } }
    }

    let record = [UInt8](repeating: 0x41, count: 70)

    @Test("an entry answers for its record bytes, intern stamp and scheme, and for nothing else")
    func matchesAllThree() {
        let cache = StatusAnswerCache(capacity: 16)
        #expect(kept(cache, record) == nil)
        keep(cache, record, "answer")
        #expect(kept(cache, record) == "answer")
        var changed = record
        changed[69] = 0x42
        #expect(kept(cache, changed) == nil, "one byte of the record differs: another state of the payment")
        #expect(kept(cache, Array(record.dropLast())) == nil, "a shorter record")
        #expect(kept(cache, record, stamp: 2) == nil, "the intern list grew or is another table's")
        #expect(kept(cache, record, scheme: "t") == nil, "the source's scheme changed on reload")
        #expect(cache.hits == 1 && cache.misses == 5)
        keep(cache, changed, "new answer")
        #expect(kept(cache, changed) == "new answer" && kept(cache, record) == "answer")
    }

    @Test("a set of four keeps four keys; a fifth takes the place of the least recently used")
    func leastRecentlyUsed() {
        let cache = StatusAnswerCache(capacity: 4)
        #expect(cache.capacity == 4)
        let keys: [[UInt8]] = (0..<5).map { [UInt8](repeating: UInt8(0x30 + $0), count: 20) }
        for k in keys.prefix(4) { keep(cache, k, String(decoding: k.prefix(1), as: UTF8.self)) }
        #expect(keys.prefix(4).allSatisfy { kept(cache, $0) != nil })
        #expect(cache.count == 4)
        _ = kept(cache, keys[0])
        keep(cache, keys[4], "4")
        #expect(kept(cache, keys[1]) == nil)
        #expect(kept(cache, keys[0]) == "0" && kept(cache, keys[2]) == "2" && kept(cache, keys[3]) == "3" && kept(cache, keys[4]) == "4")
    }

    @Test("capacity 0 keeps nothing; a count that is not a multiple of four keeps the whole sets below it")
    func capacities() {
        let none = StatusAnswerCache(capacity: 0)
        keep(none, record, "answer")
        #expect(kept(none, record) == nil && none.capacity == 0 && none.hits == 0 && none.misses == 0)
        #expect(StatusAnswerCache(capacity: 1).capacity == 1)
        #expect(StatusAnswerCache(capacity: 3).capacity == 3)
        #expect(StatusAnswerCache(capacity: 6).capacity == 4)
        #expect(StatusAnswerCache(capacity: 8192).capacity == 8192)
    }

    @Test("record and answer of entryBytes are kept, one byte more is not")
    func entryBound() {
        let cache = StatusAnswerCache(capacity: 4)
        let fits = String(repeating: "x", count: StatusAnswerCache.entryBytes - record.count)
        keep(cache, record, fits)
        #expect(kept(cache, record) == fits)
        let other = [UInt8](repeating: 0x43, count: 70)
        keep(cache, other, fits + "x")
        #expect(kept(cache, other) == nil)
    }
}

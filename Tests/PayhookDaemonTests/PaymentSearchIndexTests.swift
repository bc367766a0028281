import PayhookCore
import PayhookLog
import PayhookStore
import Testing

@testable import PayhookDaemon

/// A real `LogIndex` fed events, with the search kept beside it the way `ConsoleAPI` keeps it
/// (`add` on every applied event), and the answers the search must give worked out by brute
/// force over every payment.
struct SearchLog {
    var index = LogIndex()
    var search: PaymentSearchIndex

    init(digest: @escaping PaymentSearchIndex.Digest = PaymentSearchIndex.fnv1a) { search = PaymentSearchIndex(digest: digest) }

    /// Applies one event of payment `source`/`id`, each in a segment of its own (so that
    /// `expire` can take any prefix).
    mutating func event(_ source: String, _ id: String, ref: String?, status: PaymentStatus = .created) {
        let seq = index.nextSeq
        let e = NormalizedEvent(
            id: "\(source):\(id):e\(seq)", source: source, provider: "nonstopay", kind: "payin", paymentID: id, merchantRef: ref,
            status: status, providerEvent: "e\(seq)", receivedAtMs: 1_000_000 + Int64(seq), verifiedBy: "test")
        let request = StoredRequest(
            peerAddress: "127.0.0.1:1", clientAddress: "127.0.0.1", path: "/hooks/x", headers: [], body: [], bodyIsJSON: false)
        index.apply(.event(request, e), at: AppendedRecord(seq: seq, location: RecordLocation(segmentFirstSeq: seq, offset: 32)), frameBytes: 100)
        search.add(source: source, paymentID: id, merchantRef: ref)
    }

    /// Retention took every record through `seq` and the dedup margin passed: the payments whose
    /// events all lie there leave the index.
    mutating func expire(through seq: UInt64) {
        index.dropSegments(through: seq)
        index.expire(through: seq)
    }

    func find(_ text: String, limit: Int = 100) -> [String] { search.find(text, limit: limit, in: index).map(Self.name) }

    /// What a search must answer: every payment whose id or current merchant ref is `text`
    /// byte for byte, first seen first.
    func expected(_ text: String, limit: Int = 100) -> [String] {
        var all: [PaymentState] = []
        index.forEachPayment { p in
            if p.paymentID.utf8.elementsEqual(text.utf8) || p.merchantRef?.utf8.elementsEqual(text.utf8) == true { all.append(p) }
        }
        return all.sorted { $0.eventSeqs[0] < $1.eventSeqs[0] }.prefix(limit).map(Self.name)
    }

    static func name(_ p: PaymentState) -> String { "\(p.source)/\(p.paymentID)" }

    /// A search built from scratch from the index, as at start-up.
    func rebuilt(digest: @escaping PaymentSearchIndex.Digest = PaymentSearchIndex.fnv1a) -> SearchLog {
        var copy = self
        copy.search = PaymentSearchIndex(digest: digest)
        copy.search.build(from: index)
        return copy
    }
}

@Suite struct PaymentSearchIndexTests {
    @Test("search finds a payment by id and by merchant ref, each once, several payments sharing a ref first seen first, byte for byte")
    func exactAnswers() {
        var log = SearchLog()
        log.event("a", "1", ref: "order-7")
        log.event("a", "1", ref: "order-7")
        log.event("b", "2", ref: "order-7")
        log.event("b", "1", ref: nil)
        log.event("a", "caf\u{E9}", ref: "r-\u{E9}")  // NFC
        log.event("a", "cafe\u{301}", ref: "r-e\u{301}")  // NFD: another payment, another ref
        for search in [log, log.rebuilt()] {
            #expect(search.find("1") == ["a/1", "b/1"])
            #expect(search.find("order-7") == ["a/1", "b/2"])
            #expect(search.find("order-7", limit: 1) == ["a/1"])
            #expect(search.find("order").isEmpty)
            #expect(search.find("order-77").isEmpty)
            #expect(search.find("r-\u{E9}") == ["a/caf\u{E9}"])
            #expect(search.find("r-e\u{301}") == ["a/cafe\u{301}"])
            #expect(search.find("cafe\u{301}") == ["a/cafe\u{301}"])
            #expect(search.search.count == 4, "one entry per payment with a ref")
        }
    }

    @Test("a merchant ref shared by payments of two sources finds both; an id under two sources finds both; a source no configuration names is found")
    func twoSources() {
        var log = SearchLog()
        log.event("nonstopay-payin", "p1", ref: "R")
        log.event("noventiq", "p1", ref: "R")
        log.event("retired-source", "p9", ref: "R9")
        for search in [log, log.rebuilt()] {
            #expect(search.find("R") == ["nonstopay-payin/p1", "noventiq/p1"])
            #expect(search.find("p1") == ["nonstopay-payin/p1", "noventiq/p1"])
            #expect(search.find("p9") == ["retired-source/p9"])
            #expect(search.find("R9") == ["retired-source/p9"])
            #expect(Set(search.search.sources) == ["nonstopay-payin", "noventiq", "retired-source"])
        }
    }

    @Test("a payment whose merchant ref appears only in a later event is found by it, live and after a rebuild")
    func refInLaterEvent() {
        var log = SearchLog()
        log.event("a", "p", ref: nil, status: .created)
        #expect(log.find("late").isEmpty)
        log.event("a", "p", ref: "late", status: .pending)
        #expect(log.find("late") == ["a/p"])
        #expect(log.rebuilt().find("late") == ["a/p"])
    }

    @Test("a ref the payment no longer carries finds nothing (the answer is the current ref), and the prune drops its entry")
    func refReplaced() {
        var log = SearchLog()
        log.event("a", "p", ref: "first", status: .created)
        log.event("a", "p", ref: "second", status: .succeeded)
        #expect(log.find("first").isEmpty)
        #expect(log.find("second") == ["a/p"])
        #expect(log.search.count == 2)
        log.search.startPrune()
        while log.search.prune(in: log.index) {}
        #expect(log.search.count == 1)
        #expect(log.find("second") == ["a/p"])
    }

    @Test("with every ref digesting alike (forced collisions) the answers stay exact, live and rebuilt", arguments: [0, 0xFFFF_FFFF_FFFF_FFFF])
    func collisions(constant: UInt64) {
        var log = SearchLog(digest: { _ in constant })
        for n in 0..<400 { log.event(n % 3 == 0 ? "a" : "b", "id-\(n)", ref: n % 5 == 0 ? nil : "ref-\(n / 4)") }
        // An id equal to another payment's ref: both answer.
        log.event("a", "ref-7", ref: "x")
        let texts = ["ref-0", "ref-7", "ref-99", "ref-100", "id-3", "id-400", "x", "ref-", "ref-7 "]
        for search in [log, log.rebuilt(digest: { _ in constant })] {
            for text in texts { #expect(search.find(text) == search.expected(text), "\(text)") }
            #expect(search.find("ref-7") == ["b/id-28", "b/id-29", "b/id-31", "a/ref-7"], "id-30 has no ref")
            #expect(search.find("ref-7", limit: 2) == ["b/id-28", "b/id-29"])
        }
    }

    @Test("answers equal the brute-force ones over 3,000 payments (real digest)")
    func bruteForce() {
        var log = SearchLog()
        for n in 0..<3000 { log.event(["s1", "s2", "s3"][n % 3], "P\(n % 1700)", ref: n % 7 == 0 ? nil : "M\(n % 900)") }
        let rebuilt = log.rebuilt()
        for k in stride(from: 0, to: 1800, by: 13) {
            for text in ["P\(k)", "M\(k)"] {
                #expect(log.find(text) == log.expected(text), "\(text)")
                #expect(rebuilt.find(text) == log.expected(text), "\(text) rebuilt")
            }
        }
    }

    @Test("after expiry: no answer names an expired payment even before the prune; a pass prunes 256 shards a turn and keeps the survivors")
    func pruneAfterExpiry() {
        var log = SearchLog()
        for n in 0..<300 { log.event("a", "\(n)", ref: "ref-\(n / 2)") }
        #expect(log.search.count == 300)
        let busy = log.search.prune(in: log.index)
        #expect(!busy, "no pass started: nothing to do")
        log.expire(through: 150)  // payments 0...149 (seqs 1...150)
        #expect(log.index.paymentCount == 150)
        #expect(log.find("3").isEmpty)
        #expect(log.find("ref-10").isEmpty)
        #expect(log.find("ref-75") == ["a/150", "a/151"])
        log.search.startPrune()
        var turns = 1
        while log.search.prune(in: log.index) { turns += 1 }
        #expect(turns == PaymentSearchIndex.shardCount / PaymentSearchIndex.pruneShardsPerTurn)
        #expect(log.search.count == 150)
        #expect(log.find("ref-75") == ["a/150", "a/151"])
        #expect(log.find("299") == ["a/299"])
        #expect(log.find("ref-74").isEmpty)
    }

    @Test("about 8 bytes a payment with a ref once the shards are in use, built exactly sized")
    func bytesPerPayment() {
        var log = SearchLog()
        for n in 0..<200_000 { log.event("a", "id-\(n)", ref: "ref-\(n)") }
        let built = log.rebuilt()
        // 8 bytes an entry, arrays sized exactly, plus a header for each of the 65,536 shards
        // (about 3 bytes a payment at this size, under 1 at 3M).
        #expect(built.search.heapBytes() <= 8 * 200_000 + 72 * PaymentSearchIndex.shardCount, "\(built.search.heapBytes()) bytes")
        #expect(built.search.count == 200_000)
        #expect(built.find("ref-123456") == ["a/id-123456"])
    }
}

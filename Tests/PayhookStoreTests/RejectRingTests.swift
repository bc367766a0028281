import Testing

@testable import PayhookLog
@testable import PayhookStore

@Suite struct RejectRingTests {
    @Test("the ring takes N entries and refuses N+1; a pop makes room again, in FIFO order")
    func entriesBound() {
        var ring = RejectRing(entries: 3, bytes: 1 << 20)
        let pushed = (1...4).map { ring.push(RejectStoreTests.entry($0)) }
        #expect(pushed == [true, true, true, false])
        let first = ring.pop()?.receivedAtMs
        #expect(first == RejectStoreTests.t0 + 1)
        let again = ring.push(RejectStoreTests.entry(5))
        #expect(again)
        let rest = (0..<3).compactMap { _ in ring.pop()?.receivedAtMs }.map { $0 - RejectStoreTests.t0 }
        #expect(rest == [2, 3, 5])
        #expect(ring.isEmpty && ring.bytes == 0)
    }

    @Test("the ring takes N bytes and refuses one more")
    func bytesBound() {
        let size = RejectStoreTests.size
        var exact = RejectRing(entries: 10, bytes: 2 * size)
        let exactPushed = (1...2).map { exact.push(RejectStoreTests.entry($0)) }
        #expect(exactPushed == [true, true])
        var short = RejectRing(entries: 10, bytes: 2 * size - 1)
        let shortPushed = (1...2).map { short.push(RejectStoreTests.entry($0)) }
        #expect(shortPushed == [true, false])
    }

    @Test("a key keeps its burst of N, N+1 is sampled, and it earns one more per 1/rate s")
    func sampler() {
        var s = RejectSampler(ratePerSecond: 2, burst: 3, keysMax: 10)
        let key = RejectSampler.Key(source: "s", client: "a")
        var got = (0..<4).map { _ in s.allow(key, nowMs: 0) }
        got.append(s.allow(key, nowMs: 499))
        got.append(s.allow(key, nowMs: 999))
        got.append(s.allow(.init(source: "s", client: "b"), nowMs: 999))
        #expect(got == [true, true, true, false, false, true, true])
    }

    @Test("N keys get buckets of their own; key N+1 shares the overflow bucket")
    func keysBound() {
        var s = RejectSampler(ratePerSecond: 1, burst: 1, keysMax: 2)
        // a, b: own buckets; c takes the overflow bucket's token; d shares it, now empty.
        let got = ["a", "b", "c", "d"].map { s.allow(.init(source: "s", client: $0), nowMs: 0) }
        #expect(got == [true, true, true, false])
        #expect(s.keyCount == 2)
    }
}

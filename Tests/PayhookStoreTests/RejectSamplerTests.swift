import Testing

@testable import PayhookLog
@testable import PayhookStore

@Suite struct RejectSamplerTests {
    @Test("a key keeps its burst of N, N+1 is sampled, and it earns one more per 1/rate s")
    func sampler() {
        var s = RejectSampler(ratePerSecond: 2, burst: 3, maxKeys: 10)
        let key = RejectSampler.Key(source: "s", client: "a")
        var got = (0..<4).map { _ in s.allow(key, nowMs: 0) }
        got.append(s.allow(key, nowMs: 499))
        got.append(s.allow(key, nowMs: 999))
        got.append(s.allow(.init(source: "s", client: "b"), nowMs: 999))
        #expect(got == [true, true, true, false, false, true, true])
    }

    @Test("N keys get buckets of their own; key N+1 shares the overflow bucket")
    func keysBound() {
        var s = RejectSampler(ratePerSecond: 1, burst: 1, maxKeys: 2)
        // a, b: own buckets; c takes the overflow bucket's token; d shares it, now empty.
        let got = ["a", "b", "c", "d"].map { s.allow(.init(source: "s", client: $0), nowMs: 0) }
        #expect(got == [true, true, true, false])
        #expect(s.keyCount == 2)
    }
}

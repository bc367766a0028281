import PayhookCore
import Testing

@testable import PayhookHooks

@Suite struct DeliveryStateTests {
    static let start = HookCursor(scanSeq: 1)

    @Test("at most max_in_flight attempts at once: N are sent, the N+1th waits for a slot")
    func maxInFlight() {
        var d = DeliveryState(filter: HookFilter(), limits: DeliveryLimits(maxInFlight: 2), cursor: Self.start)
        #expect(d.offerAll([event(1, "a"), event(2, "b")]).sent == [1, 2])
        #expect(d.offer(event(3, "c"), nowMs: 0).sent == [])
        #expect(d.inFlight == 2)
        #expect(d.finish(2, .delivered).sent == [3])
    }

    @Test("a failing event holds back its payment's later events and nothing else")
    func orderPerPayment() {
        var d = DeliveryState(filter: HookFilter(), cursor: Self.start)
        #expect(d.offerAll([event(1, "a"), event(2, "b"), event(3, "a")]).sent == [1, 2])
        #expect(d.finish(1, .failed(retryAfterMs: nil)).sent == [])
        #expect(d.offer(event(4, "c"), nowMs: 0).sent == [4], "other payments flow")
        #expect(d.offer(event(5, "b"), nowMs: 0).sent == [], "b's event 2 is still in flight")
        #expect(d.finish(2, .delivered).sent == [5])
        #expect(d.tick(nowMs: 999).sent == [])
        #expect(d.tick(nowMs: 1_000).filter { $0 != .persistCursor(d.cursor) } == [.send(event(1, "a"), attempt: 2)])
        #expect(d.finish(1, .delivered, nowMs: 1_000).sent == [3])
    }

    @Test("payments are compared byte for byte: NFC and NFD spellings are two payments")
    func byteKeys() {
        var d = DeliveryState(filter: HookFilter(), cursor: Self.start)
        let nfc = "caf\u{E9}"
        let nfd = "cafe\u{301}"
        #expect(nfc == nfd, "Swift calls them equal; payhookd must not")
        #expect(d.offerAll([event(1, nfc), event(2, nfd)]).sent == [1, 2])
        #expect(PaymentKey(source: "ab", paymentID: "c") != PaymentKey(source: "a", paymentID: "bc"))
    }

    @Test("events without a payment id are ordered with nothing")
    func noPayment() {
        var d = DeliveryState(filter: HookFilter(), cursor: Self.start)
        _ = d.offer(event(1, nil), nowMs: 0)
        _ = d.finish(1, .failed(retryAfterMs: nil))
        #expect(d.offer(event(2, nil), nowMs: 0).sent == [2])
    }

    @Test("retry n waits a jittered delay in [1 s, min(cap, 2^(n-1) s)]; the first exactly 1 s")
    func backoff() {
        let limits = DeliveryLimits(retryMaxIntervalMs: 10_000)
        var random = SeededRandom()
        for n in UInt32(1)...12 {
            let ceiling: Int64 = min(10_000, Int64(1_000) << Int64(n - 1))
            var seen = Set<Int64>()
            for _ in 0..<200 {
                let d = DeliveryState.retryDelayMs(afterAttempt: n, retryAfterMs: nil, limits: limits, using: &random)
                #expect((1_000...ceiling).contains(d), "attempt \(n): \(d)")
                seen.insert(d)
            }
            #expect(n == 1 ? seen == [1_000] : seen.count > 20, "attempt \(n) is jittered")
        }
    }

    @Test("Retry-After is honoured within [retry_first_ms, retry_max_interval_ms]")
    func retryAfter() {
        var d = DeliveryState(filter: HookFilter(), cursor: Self.start)
        _ = d.offer(event(1, "a"), nowMs: 0)
        _ = d.finish(1, .failed(retryAfterMs: 30_000))
        #expect(d.nextWakeMs == 30_000 || d.nextWakeMs == 1_000, "the cursor may wake earlier")
        #expect(d.tick(nowMs: 29_999).sent == [])
        #expect(d.tick(nowMs: 30_000).sent == [1])
        _ = d.finish(1, .failed(retryAfterMs: 86_400_000), nowMs: 30_000)
        #expect(d.tick(nowMs: 30_000 + 599_999).sent == [])
        #expect(d.tick(nowMs: 30_000 + 600_000).sent == [1])
        _ = d.finish(1, .failed(retryAfterMs: 0), nowMs: 700_000)
        #expect(d.tick(nowMs: 700_999).sent == [])
        #expect(d.tick(nowMs: 701_000).sent == [1])
    }

    @Test("a failure retry_max_age after the first attempt parks; the payment flows once the park is durable")
    func park() {
        let limits = DeliveryLimits(retryMaxIntervalMs: 1_000, retryMaxAgeMs: 5_000)
        var d = DeliveryState(filter: HookFilter(), limits: limits, cursor: Self.start)
        _ = d.offerAll([event(1, "a"), event(2, "a")], nowMs: 100)
        var now: Int64 = 100
        var parks: [ParkRecord] = []
        while parks.isEmpty {
            parks = d.finish(1, .failed(retryAfterMs: nil), nowMs: now).parks
            if parks.isEmpty {
                now += 1_000
                #expect(d.tick(nowMs: now).sent == [1])
            }
        }
        #expect(now == 5_100, "parked at the first failure 5 s after the first attempt")
        #expect(parks == [ParkRecord(seq: 1, eventID: "shop:a:1", attempts: 6, firstAttemptMs: 100, lastAttemptMs: 5_100)])
        #expect(d.tick(nowMs: 10_000).sent == [], "held until the park record is durable")
        #expect(d.cursor.pending.map(\.seq) == [1, 2])
        #expect(d.parkRecorded(seq: 1, nowMs: 10_000).sent == [2])
        #expect(d.cursor.pending.map(\.seq) == [2])
    }

    @Test("max_held_events: N held are taken, the N+1th pauses the scan; a freed place resumes it")
    func backpressure() {
        var d = DeliveryState(filter: HookFilter(), limits: DeliveryLimits(maxInFlight: 1, maxHeldEvents: 3), cursor: Self.start)
        #expect(d.offer(event(1, "a"), nowMs: 0).sent == [1])
        #expect(d.offerAll([event(2, "a"), event(3, "a")]) == [])
        #expect(d.offer(event(4, "a"), nowMs: 0) == [.pauseScan], "the third held event fills the hook")
        #expect(d.heldCount == 3 && d.scanSeq == 5)
        #expect(d.offer(event(5, "a"), nowMs: 0) == [.pauseScan], "refused, not dropped")
        #expect(d.scanSeq == 5)
        #expect(d.finish(1, .delivered) == [.send(event(2, "a"), attempt: 1), .resumeScan])
        #expect(d.offer(event(5, "a"), nowMs: 0) == [.pauseScan])
        #expect(d.scanSeq == 6 && d.heldCount == 3)
    }

    @Test("filtered-out events and non-event seqs advance the scan position without a send")
    func filterAndSkip() {
        var d = DeliveryState(filter: HookFilter(statuses: [.succeeded]), cursor: Self.start)
        #expect(d.offer(event(1, "a", status: .failed), nowMs: 0) == [])
        #expect(d.skip(2, nowMs: 0) == [])
        #expect(d.offer(event(3, "a"), nowMs: 0).sent == [3])
        #expect(d.cursor == HookCursor(scanSeq: 4, pending: [.init(seq: 3, firstAttemptMs: 0, attempts: 1)]))
    }
}

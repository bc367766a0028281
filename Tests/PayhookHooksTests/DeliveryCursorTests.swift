import PayhookCore
import Testing

@testable import PayhookHooks

@Suite struct DeliveryCursorTests {
    @Test("a payment failing for hours does not drag the cursor: a restart resends only what was pending")
    func boundedRedelivery() throws {
        let t0: Int64 = 1_795_341_600_000
        var d = DeliveryState(filter: HookFilter(), cursor: HookCursor(scanSeq: 1))
        _ = d.offerAll([event(1, "stuck"), event(2, "stuck")], nowMs: t0)
        _ = d.finish(1, .failed(retryAfterMs: nil), nowMs: t0)
        for seq in UInt64(3)...1_002 {
            #expect(d.offer(event(seq, "p\(seq)"), nowMs: t0).sent == [seq])
            _ = d.finish(seq, .delivered, nowMs: t0)
        }
        _ = d.offer(event(1_003, "last"), nowMs: t0)
        let saved = try HookCursor.decode(d.takeCursor().encode())
        #expect(saved.scanSeq == 1_004)
        #expect(saved.pending == [.init(seq: 1, firstAttemptMs: t0, attempts: 1), .init(seq: 2), .init(seq: 1_003, firstAttemptMs: t0, attempts: 1)])

        // Restart: the listed seqs come back first, with their attempts and age; then the scan goes on.
        var r = DeliveryState(filter: HookFilter(), cursor: saved)
        #expect(r.seqsToRestore == [1, 2, 1_003])
        #expect(r.offer(event(1, "stuck"), nowMs: t0 + 5_000) == [.send(event(1, "stuck"), attempt: 2)])
        #expect(r.offer(event(2, "stuck"), nowMs: t0 + 5_000).sent == [], "still behind seq 1")
        #expect(r.skip(1_003, nowMs: t0 + 5_000).isEmpty, "its record is gone: forgotten")
        #expect(r.offer(event(1_004, "new"), nowMs: t0 + 5_000).sent == [1_004])
        #expect(r.cursor.pending.first == .init(seq: 1, firstAttemptMs: t0, attempts: 2), "age counts from the first attempt ever")
    }

    @Test("the cursor is written after cursor_every_acks completions, or cursor_every_ms after a change")
    func persistTiming() {
        var d = DeliveryState(filter: HookFilter(), limits: DeliveryLimits(cursorEveryAcks: 3, cursorEveryMs: 500), cursor: HookCursor(scanSeq: 1))
        _ = d.offerAll([event(1, "a"), event(2, "b"), event(3, "c")], nowMs: 10)
        #expect(d.nextWakeMs == 510)
        #expect(d.finish(1, .delivered, nowMs: 20).cursors.isEmpty)
        #expect(d.finish(2, .delivered, nowMs: 20).cursors.isEmpty)
        #expect(d.finish(3, .delivered, nowMs: 20).cursors == [HookCursor(scanSeq: 4)], "the third ack")
        #expect(d.nextWakeMs == nil, "nothing unsaved, nothing due")
        _ = d.skip(4, nowMs: 100)
        #expect(d.tick(nowMs: 599).cursors.isEmpty)
        #expect(d.tick(nowMs: 600).cursors == [HookCursor(scanSeq: 5)])
    }

    /// Replays a log through a receiver that fails at random and a process that crashes at random
    /// (state lost, restarted from the last cursor written): every event is delivered at least
    /// once, per payment in log order among first deliveries, and a restart never resends more
    /// than the cursor listed.
    @Test("crash and failure replay: at least once, in order per payment, bounded redelivery")
    func crashReplay() {
        var random = SeededRandom(seed: 7)
        let log = (UInt64(1)...2_000).map { event($0, "p\($0 % 37)") }
        let limits = DeliveryLimits(maxInFlight: 3, retryMaxIntervalMs: 4_000, maxHeldEvents: 50, cursorEveryAcks: 20, cursorEveryMs: 300)
        var durable = HookCursor(scanSeq: 1)
        var delivered: [UInt64: Int] = [:]
        var firstOrder: [String: [UInt64]] = [:]
        var now: Int64 = 1_000_000
        var crashes = 0
        while delivered.count < log.count && crashes < 500 {
            var d = DeliveryState(filter: HookFilter(), limits: limits, cursor: durable)
            var flight: [UInt64] = []
            var actions: [DeliveryState.Action] = []
            for seq in d.seqsToRestore { actions += d.offer(log[Int(seq) - 1], nowMs: now) }
            var steps = 0
            let crashAt = Int(random.next() % 3_000) + 50
            var crashNow = false
            while steps < crashAt && !crashNow && delivered.count < log.count {
                steps += 1
                for a in actions {
                    switch a {
                    case .send(let e, _): flight.append(e.seq)
                    case .persistCursor(let c):
                        durable = c
                        crashNow = random.next() % 8 == 0  // the worst moment: right after a write
                    case .park, .pauseScan, .resumeScan: break
                    }
                }
                actions = []
                now += 10
                if !flight.isEmpty, random.next() % 2 == 0 {
                    let seq = flight.remove(at: Int(random.next() % UInt64(flight.count)))
                    let ok = random.next() % 4 != 0
                    if ok {
                        if delivered[seq] == nil { firstOrder[log[Int(seq) - 1].paymentID!, default: []].append(seq) }
                        delivered[seq, default: 0] += 1
                    }
                    actions = d.attemptFinished(seq: seq, outcome: ok ? .delivered : .failed(retryAfterMs: nil), nowMs: now, using: &random)
                } else if !d.paused, d.scanSeq <= UInt64(log.count) {
                    actions = d.offer(log[Int(d.scanSeq) - 1], nowMs: now)
                } else {
                    actions = d.tick(nowMs: d.nextWakeMs.map { max($0, now) } ?? now)
                }
            }
            if delivered.count < log.count {
                // The crash: some attempts in flight reached the receiver, none was acknowledged.
                for seq in flight where random.next() % 2 == 0 {
                    if delivered[seq] == nil { firstOrder[log[Int(seq) - 1].paymentID!, default: []].append(seq) }
                    delivered[seq, default: 0] += 1
                }
                crashes += 1
                #expect(durable.pending.count <= limits.maxHeldEvents + limits.maxInFlight, "bounded redelivery")
            }
        }
        #expect(delivered.count == log.count, "every event delivered")
        #expect(crashes > 3)
        for (payment, seqs) in firstOrder { #expect(seqs == seqs.sorted(), "payment \(payment) out of order") }
        let redelivered = delivered.values.reduce(0, +) - log.count
        #expect(redelivered <= crashes * (limits.maxHeldEvents + limits.maxInFlight + limits.cursorEveryAcks * 2))
    }
}

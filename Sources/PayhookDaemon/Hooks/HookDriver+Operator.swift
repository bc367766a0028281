import PayhookCore
import PayhookHooks
import PayhookLog
import PayhookPosix

// The operator's controls of a `HookDriver`: retry the parked events, replay from a seq.
//
// Both re-queue events below the scan position through `DeliveryState.inject`: they join their
// payment's lane behind what it holds now (so a payment's events still reach the receiver one
// at a time, in the order they were queued), take a slot like any event, and get fresh attempts
// and a fresh retry_max_age. They are not in the cursor: a restart forgets a retry or replay in
// progress (a parked event stays listed in `<hook>.parked` until it is delivered; a replay is
// asked again). At least once, as everything else.

extension HookDriver {
    /// Re-queues every parked event not queued already, in seq order. Returns how many.
    func retryParked() -> Int {
        let now = clock.nowUnixMs()
        var actions: [DeliveryState.Action] = []
        var queued = 0
        for seq in parked.seqs where !state.isQueued(seq) {
            guard let p = parked[seq], let summary = HookEvent(seq: seq, eventJSON: p.eventJSON) else {
                Journal.warning("hook \(name): parked seq \(seq) has no event JSON to send; left parked")
                continue
            }
            let injected = state.inject(summary, nowMs: now)
            actions += injected
            retrying.insert(seq)
            queued += 1
        }
        Journal.info("hook \(name): retry-parked re-queued \(queued) of \(parked.count) parked events")
        perform(actions)
        return queued
    }

    /// Re-sends the events from `from` up to the scan position now, through the hook's filters.
    /// Returns the range (empty when `from` is not scanned yet: the scan will send it).
    func replay(from: UInt64) -> ClosedRange<UInt64>? {
        guard from < state.scanSeq else { return nil }
        replayNext = from
        replayEnd = state.scanSeq - 1
        Journal.info("hook \(name): replay of seqs \(from)...\(replayEnd)")
        pumpReplay()
        return from...replayEnd
    }

    /// Reads the next batch of the replay while the hook has room for it (backpressure as the
    /// scan: `maxHeldEvents`). `perform` calls it again when room is made.
    func pumpReplay() {
        guard !replayReading, !stopped, replayNext <= replayEnd, state.acceptsEvents else { return }
        let seqs = Array(replayNext...min(replayEnd, replayNext + UInt64(Self.scanBatch) - 1))
        replayReading = true
        fetcher.fetch(store.locations(seqs)) { [weak self] records, failure in
            guard let self, !stopped else { return }
            replayReading = false
            if let failure { Journal.error("hook \(name): replay reading seqs \(seqs.first!)...: \(failure)") }
            let now = clock.nowUnixMs()
            var actions: [DeliveryState.Action] = []
            for record in records {
                guard case .event(let request, let event) = record.payload else { continue }
                let summary = HookEvent(event)
                guard state.filter.matches(summary), !state.isQueued(record.seq) else { continue }
                if bodies.count < Self.maxCachedBodies { bodies[record.seq] = event.jsonBytes(data: request.bodyIsJSON ? request.body : nil) }
                actions += state.inject(summary, nowMs: now)
            }
            // A later replay request may have moved the range meanwhile: only move forward.
            if replayNext == seqs.first! { replayNext = seqs.last! + 1 }
            perform(actions)
        }
    }
}

// Attempt outcomes, retries, parking and the cursor of `DeliveryState` (rules in its file).

extension DeliveryState {
    /// An attempt of `seq` ended.
    public mutating func attemptFinished(
        seq: UInt64, outcome: Outcome, nowMs: Int64, using random: inout some RandomNumberGenerator
    ) -> [Action] {
        guard var entry = entries[seq], entry.phase == .inFlight else { preconditionFailure("no attempt of \(seq) in flight") }
        inFlight -= 1
        var actions: [Action] = []
        switch outcome {
        case .delivered:
            complete(seq)
            return actions + fillSlots(nowMs: nowMs) + changed(nowMs: nowMs, ack: true)
        case .failed(let retryAfterMs):
            let first = entry.firstAttemptMs ?? nowMs
            if nowMs - first >= limits.retryMaxAgeMs {
                entry.phase = .parking
                actions.append(
                    .park(ParkRecord(seq: seq, eventID: entry.event.id, attempts: entry.attempts, firstAttemptMs: first, lastAttemptMs: nowMs)))
            } else {
                let due = nowMs + Self.retryDelayMs(afterAttempt: entry.attempts, retryAfterMs: retryAfterMs, limits: limits, using: &random)
                entry.phase = .waiting(dueMs: due)
                retries.push(dueMs: due, seq: seq)
            }
            entries[seq] = entry
            return actions + fillSlots(nowMs: nowMs) + changed(nowMs: nowMs, ack: false)
        }
    }

    /// The park record of `seq` is durable: the event is done; its payment flows again.
    public mutating func parkRecorded(seq: UInt64, nowMs: Int64) -> [Action] {
        precondition(entries[seq]?.phase == .parking, "no park of \(seq) was asked for")
        complete(seq)
        return fillSlots(nowMs: nowMs) + changed(nowMs: nowMs, ack: true)
    }

    /// Time passed: due retries are sent, a due cursor is written. Call at `nextWakeMs`.
    public mutating func tick(nowMs: Int64) -> [Action] {
        while let next = retries.first, next.dueMs <= nowMs {
            _ = retries.popFirst()
            entries[next.seq]?.phase = .ready
            ready.append(next.seq)
        }
        return fillSlots(nowMs: nowMs) + persistIfDue(nowMs: nowMs)
    }

    /// When `tick` has something to do next (a retry or a cursor write), or nil.
    public var nextWakeMs: Int64? {
        let cursorDue = unsavedSinceMs.map { $0 + limits.cursorEveryMs }
        switch (retries.first?.dueMs, cursorDue) {
        case (let a?, let b?): return min(a, b)
        case (let a, let b): return a ?? b
        }
    }

    /// The progress to persist now: every seq below `scanSeq` not listed here is done.
    public var cursor: HookCursor {
        var pending: [HookCursor.Pending] = []
        pending.reserveCapacity(entries.count + restored.count)
        // By index, not `entries.values.filter`: that copied each entry (its event's strings
        // retained and released), every `cursorEveryAcks` completions over every held event.
        var i = entries.startIndex
        while i != entries.endIndex {
            let seq = entries.keys[i]
            if !entries.values[i].extra {
                pending.append(
                    HookCursor.Pending(seq: seq, firstAttemptMs: entries.values[i].firstAttemptMs ?? 0, attempts: entries.values[i].attempts))
            }
            entries.formIndex(after: &i)
        }
        pending += restored.values
        pending.sort { $0.seq < $1.seq }
        return HookCursor(scanSeq: scanSeq, pending: pending)
    }

    /// The cursor to write at shutdown (or whenever the caller wants); marks it saved.
    public mutating func takeCursor() -> HookCursor {
        unsavedSinceMs = nil
        acksUnsaved = 0
        return cursor
    }

    /// The delay before the retry that follows attempt `n` (rules in the file header).
    static func retryDelayMs(
        afterAttempt n: UInt32, retryAfterMs: Int64?, limits: DeliveryLimits, using random: inout some RandomNumberGenerator
    ) -> Int64 {
        if let retryAfterMs { return min(max(retryAfterMs, limits.retryFirstMs), limits.retryMaxIntervalMs) }
        let doublings = Int64(min(max(n, 1) - 1, 40))
        let ceiling = limits.retryFirstMs > limits.retryMaxIntervalMs >> doublings ? limits.retryMaxIntervalMs : limits.retryFirstMs << doublings
        return Int64.random(in: limits.retryFirstMs...ceiling, using: &random)
    }

    /// Removes a done event and promotes the next one of its payment.
    mutating func complete(_ seq: UInt64) {
        guard let entry = entries.removeValue(forKey: seq) else { return }
        guard let key = entry.key, let at = lanes.index(forKey: key) else { return }
        // In place (one hash lookup; no copy of the lane's queue).
        let head = lanes.values[at].popFirst()
        assert(head == seq, "only the first event of a payment completes")
        if let next = lanes.values[at].first {
            entries[next]?.phase = .ready
            ready.append(next)
        } else {
            lanes.remove(at: at)
        }
    }

    /// Starts attempts while slots are free; resumes the scan when room was made.
    mutating func fillSlots(nowMs: Int64) -> [Action] {
        var actions: [Action] = []
        while inFlight < limits.maxInFlight, let seq = ready.popFirst() {
            guard var entry = entries[seq] else { continue }
            entry.phase = .inFlight
            entry.attempts += 1
            if entry.firstAttemptMs == nil { entry.firstAttemptMs = nowMs }
            entries[seq] = entry
            inFlight += 1
            actions.append(.send(entry.event, attempt: entry.attempts))
        }
        if paused && acceptsEvents {
            paused = false
            actions.append(.resumeScan)
        }
        return actions
    }

    /// Notes a change of progress (`ack`: an event is done) and writes the cursor when due.
    mutating func changed(nowMs: Int64, ack: Bool) -> [Action] {
        if unsavedSinceMs == nil { unsavedSinceMs = nowMs }
        if ack { acksUnsaved += 1 }
        return persistIfDue(nowMs: nowMs)
    }

    mutating func persistIfDue(nowMs: Int64) -> [Action] {
        guard let since = unsavedSinceMs else { return [] }
        guard acksUnsaved >= limits.cursorEveryAcks || nowMs - since >= limits.cursorEveryMs else { return [] }
        return [.persistCursor(takeCursor())]
    }
}

// One hook's delivery as a value (like `ConnectionState`): the caller reads the log in order and
// reports events, attempt outcomes, durable park records and the time; it performs the actions
// returned. No sockets, no clock, no log access: tested with plain values.
//
// Rules (the README's "Hook delivery (core)" section explains them as decisions):
// - At most `maxInFlight` attempts at once; at most one per payment (`PaymentKey`, bytes).
// - A failing event holds back the later events of its payment for this hook, nothing else.
// - Retries: the n-th after a delay drawn uniformly from [retryFirstMs, min(retryMaxIntervalMs,
//   retryFirstMs * 2^(n-1))] (full jitter with a floor: the first retry is exactly 1 s later and
//   none comes sooner, so a receiver that is down is not hammered); a Retry-After is honoured,
//   within [retryFirstMs, retryMaxIntervalMs].
// - A failure `retryMaxAgeMs` after the first attempt parks the event: `.park` asks the caller to
//   append a park record; once that record is durable (`parkRecorded`), the event is done and
//   the payment's later events flow again. Why not hold them forever: one poison event would
//   then block its payment for good and, as events pile up behind it, pause the whole hook at
//   `maxHeldEvents`. The park record keeps it visible and retriable on demand; consumers see a
//   gap in a payment's history they can detect by `Payhook-Seq`. Until the record is durable
//   the payment stays held, so a crash in between cannot let later events overtake an event
//   that is neither delivered nor parked.
// - Backpressure: when `maxHeldEvents` events are held, `offer` refuses (`.pauseScan`) and the
//   scan position does not move; `.resumeScan` follows when one leaves. Nothing is dropped.
// - Time: `nowMs` is Unix ms (wall clock), because an event's age must survive restarts.
import PayhookCore

/// One hook's delivery state (see the file header for the rules).
public struct DeliveryState: Sendable {
    public enum Action: Sendable, Equatable {
        /// Read the event `seq` from the log and attempt it (`attempt` counts from 1); report
        /// the result with `attemptFinished`.
        case send(HookEvent, attempt: UInt32)
        /// Append this park record to the log; call `parkRecorded` once it is durable.
        case park(ParkRecord)
        /// Stop reading the log: `maxHeldEvents` are held. Nothing was dropped.
        case pauseScan
        /// Read again from `scanSeq`.
        case resumeScan
        /// Write this cursor (see `HookCursor+File.swift`), in the background.
        case persistCursor(HookCursor)
    }

    /// How an attempt ended.
    public enum Outcome: Sendable, Equatable {
        case delivered
        /// Any failure; `retryAfterMs` when the receiver said when to come back (429/503).
        case failed(retryAfterMs: Int64?)
    }

    enum Phase: Sendable, Equatable {
        /// Behind an earlier event of the same payment.
        case held
        /// First of its payment, waiting for a free slot.
        case ready
        case inFlight
        case waiting(dueMs: Int64)
        /// The park record was asked for and is not durable yet.
        case parking
    }

    struct Entry: Sendable {
        var event: HookEvent
        /// `event.paymentKey`, made once (it allocates).
        var key: PaymentKey?
        var attempts: UInt32
        var firstAttemptMs: Int64?
        var phase: Phase
        /// Re-queued by the operator (`retry-parked`, `replay`), below `scanSeq`: not in the
        /// cursor (a restart forgets it; the parked list still lists a parked one).
        var extra = false
    }

    public let filter: HookFilter
    public let limits: DeliveryLimits
    /// The next log seq to read.
    public private(set) var scanSeq: UInt64
    /// Seqs the cursor listed as pending that the caller has not offered (or skipped) yet.
    var restored: [UInt64: HookCursor.Pending]
    var entries: [UInt64: Entry] = [:]
    var lanes: [PaymentKey: SeqQueue] = [:]
    var ready = SeqQueue()
    var retries = RetryHeap()
    public internal(set) var inFlight = 0
    public internal(set) var paused = false
    var lastOffered: UInt64 = 0
    var unsavedSinceMs: Int64? = nil
    var acksUnsaved = 0

    /// Resumes from `cursor` (for a new hook, the caller picks the first seq to read).
    public init(filter: HookFilter, limits: DeliveryLimits = DeliveryLimits(), cursor: HookCursor) {
        self.filter = filter
        self.limits = limits
        self.scanSeq = cursor.scanSeq
        self.restored = Dictionary(uniqueKeysWithValues: cursor.pending.map { ($0.seq, $0) })
    }

    /// The seqs to read back first after a restart, ascending: offer each (or `skip` it when
    /// its record is gone), then continue from `scanSeq`.
    public var seqsToRestore: [UInt64] { restored.keys.sorted() }
    /// Events accepted and not in flight.
    public var heldCount: Int { entries.count - inFlight }
    /// Events that could be sent now, waiting only for a free `max_in_flight` slot.
    public var readyCount: Int { ready.count }
    public var acceptsEvents: Bool { heldCount < limits.maxHeldEvents }

    /// The next event in log order. Returns `.pauseScan` without taking it (the scan position
    /// stays) when the hook holds `maxHeldEvents`; offer it again after `.resumeScan`.
    public mutating func offer(_ event: HookEvent, nowMs: Int64) -> [Action] {
        precondition(event.seq > lastOffered || lastOffered == 0, "events must come in log order")
        if let pending = restored.removeValue(forKey: event.seq) {
            lastOffered = event.seq
            guard filter.matches(event) else { return changed(nowMs: nowMs, ack: true) }
            accept(event, attempts: pending.attempts, firstAttemptMs: pending.firstAttemptMs == 0 ? nil : pending.firstAttemptMs)
            return fillSlots(nowMs: nowMs) + changed(nowMs: nowMs, ack: false)
        }
        precondition(restored.isEmpty, "offer the restored seqs before reading on")
        precondition(event.seq >= scanSeq, "an event below the scan position was offered")
        guard acceptsEvents else {
            paused = true
            return [.pauseScan]
        }
        lastOffered = event.seq
        scanSeq = event.seq + 1
        guard filter.matches(event) else { return changed(nowMs: nowMs, ack: false) }
        accept(event, attempts: 0, firstAttemptMs: nil)
        var actions = fillSlots(nowMs: nowMs)
        if !acceptsEvents && !paused {
            paused = true
            actions.append(.pauseScan)
        }
        return actions + changed(nowMs: nowMs, ack: false)
    }

    /// A seq that is no event for hooks (a duplicate, a park record), or a restored seq whose
    /// record retention removed: the scan position moves past it.
    public mutating func skip(_ seq: UInt64, nowMs: Int64) -> [Action] {
        if restored.removeValue(forKey: seq) != nil { return changed(nowMs: nowMs, ack: true) }
        precondition(restored.isEmpty && seq >= scanSeq, "skip in log order")
        lastOffered = seq
        scanSeq = seq + 1
        return changed(nowMs: nowMs, ack: false)
    }

    /// Queues `event` again (a parked event retried, or a replayed one, both already below
    /// `scanSeq`), behind what its payment holds now, with fresh attempts and a fresh
    /// `retryMaxAgeMs`. Nothing when `seq` is still queued or not offered since a restart.
    /// Filters are the caller's (a retried parked event passed them when it was parked).
    public mutating func inject(_ event: HookEvent, nowMs: Int64) -> [Action] {
        guard event.seq < scanSeq, entries[event.seq] == nil, restored[event.seq] == nil else { return [] }
        accept(event, attempts: 0, firstAttemptMs: nil, extra: true)
        return fillSlots(nowMs: nowMs)
    }

    /// Whether `seq` is queued, in flight or waiting for a retry.
    public func isQueued(_ seq: UInt64) -> Bool { entries[seq] != nil || restored[seq] != nil }

    private mutating func accept(_ event: HookEvent, attempts: UInt32, firstAttemptMs: Int64?, extra: Bool = false) {
        let key = event.paymentKey
        var entry = Entry(event: event, key: key, attempts: attempts, firstAttemptMs: firstAttemptMs, phase: .ready, extra: extra)
        if let key {
            let ahead = lanes[key]?.isEmpty == false
            lanes[key, default: SeqQueue()].append(event.seq)
            if ahead { entry.phase = .held }
        }
        entries[event.seq] = entry
        if entry.phase == .ready { ready.append(event.seq) }
    }
}

/// What the log keeps about an event a hook gave up on: enough to show it and retry it later
/// (the event itself stays in the log under `seq`).
public struct ParkRecord: Sendable, Equatable {
    public var seq: UInt64
    public var eventID: String
    public var attempts: UInt32
    public var firstAttemptMs: Int64
    public var lastAttemptMs: Int64
}

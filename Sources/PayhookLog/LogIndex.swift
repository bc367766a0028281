import PayhookCore

/// Where a record starts: its segment (by first seq) and the byte offset of its frame.
public struct RecordLocation: Sendable, Equatable, Hashable {
    public var segmentFirstSeq: UInt64
    public var offset: Int64
    public init(segmentFirstSeq: UInt64, offset: Int64) {
        self.segmentFirstSeq = segmentFirstSeq
        self.offset = offset
    }
}

/// A record the writer made durable: its seq and where it lies.
public struct AppendedRecord: Sendable, Equatable {
    public var seq: UInt64
    public var location: RecordLocation
    public init(seq: UInt64, location: RecordLocation) {
        self.seq = seq
        self.location = location
    }
}

/// What the index knows of one segment: where each record starts (seqs are dense, so the
/// record of seq s is at `offsets[s - firstSeq]`), its size and its newest receive time.
public struct SegmentSummary: Sendable, Equatable {
    public var firstSeq: UInt64
    public var offsets: [UInt32]
    /// End of the last record (the segment's size as far as the index knows).
    public var endOffset: Int64
    public var newestMs: Int64
    public var lastSeq: UInt64 { firstSeq + UInt64(offsets.count) - 1 }
    public var name: String { LogFormat.segmentName(firstSeq: firstSeq) }
}

/// The in-memory indexes over the log: dedup (event identity -> seq), last-seen status per payment,
/// per-payment event seqs and seq -> location. A value owned by one thread: the event loop
/// owns the live one, the snapshot worker a shadow copy; no locks.
///
/// Dedup window: every event id ever stored. Entries outlive retention because retention only
/// deletes segments that a durable snapshot covers, and snapshots carry the whole dedup set.
/// Should every snapshot be lost, the window shrinks to the segments still on disk, which is
/// still at least `retention_days`. Memory grows with the number of distinct event ids
/// (about 100 bytes each).
///
/// Identities are compared byte for byte (`ByteString`): a Swift `String` key would take the NFC
/// and NFD spellings of one payment id for the same payment.
public struct LogIndex: Sendable {
    /// The seq the next record will get (last durable seq + 1).
    public internal(set) var nextSeq: UInt64 = 1
    var dedupTable: [ByteString: UInt64] = [:]
    var payments: [PaymentKey: PaymentState] = [:]
    public internal(set) var segments: [SegmentSummary] = []
    /// Events stored with a quarantine reason.
    public internal(set) var quarantinedCount: Int = 0

    public init() {}

    /// The last-seen status of a payment, or `nil` when it was never seen.
    public func lookup(source: String, paymentID: String) -> PaymentState? {
        payments[PaymentKey(source: source, paymentID: paymentID)]
    }

    /// The seq of the stored notification with this event id (today's form), if any.
    public func dedup(id: String) -> UInt64? { dedupTable[ByteString(id)] }

    /// The seq of the stored notification with `event`'s identity, if any.
    public func dedup(_ event: NormalizedEvent) -> UInt64? { dedupTable[Self.dedupKey(event)] }

    /// The identity of an event: its id as today's rule (`EventID.make`) makes it from the
    /// components, not the id stored in the record, so that records written by a version whose
    /// ids did not escape `:` still match a provider's resend. Quarantined events have no
    /// components; their id (`source:quarantine:<digest>`) is the identity.
    static func dedupKey(_ event: NormalizedEvent) -> ByteString {
        guard event.quarantined == nil, let paymentID = event.paymentID, let name = event.providerEvent else {
            return ByteString(event.id)
        }
        return ByteString(EventID.make(source: event.source, paymentID: paymentID, event: name))
    }

    /// Seqs of a payment's notifications, oldest first (empty when never seen).
    public func eventSeqs(source: String, paymentID: String) -> [UInt64] {
        lookup(source: source, paymentID: paymentID)?.eventSeqs ?? []
    }

    public var paymentCount: Int { payments.count }
    public var dedupCount: Int { dedupTable.count }
    /// Seq of the newest durable record, 0 for an empty log.
    public var lastSeq: UInt64 { nextSeq - 1 }

    /// Where the record of `seq` lies, or `nil` when it is not (or no longer) in the log.
    public func location(of seq: UInt64) -> RecordLocation? {
        // Segments are few (size / segment_bytes): a binary search on first seq.
        var lo = 0
        var hi = segments.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let s = segments[mid]
            if seq < s.firstSeq {
                hi = mid - 1
            } else if seq > s.lastSeq {
                lo = mid + 1
            } else {
                return RecordLocation(segmentFirstSeq: s.firstSeq, offset: Int64(s.offsets[Int(seq - s.firstSeq)]))
            }
        }
        return nil
    }

    /// Folds in a record after the writer reported it durable (or during recovery).
    /// `frameBytes` is the record's size on disk.
    public mutating func apply(_ payload: LogPayload, at appended: AppendedRecord, frameBytes: Int) {
        precondition(appended.seq == nextSeq, "seq \(appended.seq) applied where \(nextSeq) was expected")
        nextSeq += 1
        let loc = appended.location
        if segments.last?.firstSeq != loc.segmentFirstSeq {
            precondition(loc.segmentFirstSeq == appended.seq, "a segment starts at its first seq")
            segments.append(SegmentSummary(firstSeq: loc.segmentFirstSeq, offsets: [], endOffset: 0, newestMs: .min))
        }
        let last = segments.count - 1
        precondition(loc.offset <= Int64(UInt32.max), "segment offset \(loc.offset) beyond 4 GiB")
        segments[last].offsets.append(UInt32(loc.offset))
        segments[last].endOffset = loc.offset + Int64(frameBytes)
        segments[last].newestMs = max(segments[last].newestMs, payload.receivedAtMs)
        guard case .event(_, var event) = payload else { return }
        event.seq = appended.seq
        applyEvent(event)
    }

    /// `apply` for a writer completion: call it for every successful completion, in the order
    /// `takeCompletions` returned them (seqs are dense), with the payload that was submitted
    /// under its ticket. Failed completions are ignored.
    public mutating func apply(_ completion: LogCompletion, payload: LogPayload) {
        guard case .success(let appended) = completion.result else { return }
        apply(payload, at: appended, frameBytes: completion.frameBytes)
    }

    mutating func applyEvent(_ event: NormalizedEvent) {
        if event.quarantined != nil { quarantinedCount += 1 }
        let key = Self.dedupKey(event)
        if dedupTable[key] == nil { dedupTable[key] = event.seq }
        guard let paymentID = event.paymentID else { return }
        let payment = PaymentKey(source: event.source, paymentID: paymentID)
        if payments[payment] == nil {
            payments[payment] = PaymentState(first: event, paymentID: paymentID)
        } else {
            payments[payment]!.apply(event)
        }
    }

    /// Forgets the location summaries of segments deleted by retention (dedup entries and
    /// payment states stay: the dedup window outlives retention).
    public mutating func dropSegments(through lastSeq: UInt64) {
        segments.removeAll { $0.lastSeq <= lastSeq }
    }
}

extension LogIndex: Equatable {
    /// Equal when every index holds the same entries (snapshot + replay versus full replay).
    public static func == (a: LogIndex, b: LogIndex) -> Bool {
        a.nextSeq == b.nextSeq && a.dedupTable == b.dedupTable && a.payments == b.payments && a.segments == b.segments
            && a.quarantinedCount == b.quarantinedCount
    }
}

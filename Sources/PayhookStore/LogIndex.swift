import PayhookCore
import PayhookLog

/// The in-memory indexes over the log: dedup (event identity -> seq), last-seen status per payment,
/// per-payment event seqs, and the log's seq -> location (`SegmentMap`). A value owned by one thread: the event loop
/// owns the live one; the snapshot worker gets copies of it to write (O(1): the tables share
/// their shards copy-on-write, `ShardedIndexTable`); no locks.
///
/// Dedup window: the log's retention plus `dedup_extra_days`. Entries outlive retention because
/// retention only deletes segments that a durable snapshot covers, and snapshots carry the dedup
/// set and the retired segments' times (`retired`); `dedup_extra_days` after a segment left
/// retention, its entries and the payments whose events all lay in it go (`expire(through:)`).
/// Should every snapshot be lost, the window shrinks to the segments still on disk, which is
/// still at least `retention_days`. Dedup keeps 88 bits of a 128-bit digest per identity
/// (`DedupTable`, 16 bytes a slot in 65,536 shards), confirmed against the log record on a hit.
///
/// Identities are compared byte for byte (`ByteString`): a Swift `String` key would take the NFC
/// and NFD spellings of one payment id for the same payment.
public struct LogIndex: Sendable, RecoverableIndex {
    /// seq -> location and the next seq (the log's part).
    public var segmentMap = SegmentMap()
    var dedupTable = DedupTable()
    /// Reads the record behind a dedup digest hit (`nil`: no log to ask, the digest stands;
    /// unit tests of the index alone). `Log.open` sets it on the loop's index.
    public var records: LogReader?
    var payments = PaymentTable()
    /// Segments retention deleted whose entries have not expired yet, oldest first.
    public internal(set) var retired: [RetiredSegment] = []
    /// Events stored with a quarantine reason.
    public internal(set) var quarantinedCount: Int = 0

    public init() {}

    /// An index whose dedup digests come from `digest` (tests force collisions with it).
    init(digest: @escaping @Sendable (String) -> DedupDigest) { dedupTable = DedupTable(digest: digest) }

    /// The seq the next record will get (last durable seq + 1).
    public var nextSeq: UInt64 { segmentMap.nextSeq }
    public var segments: [SegmentSummary] { segmentMap.segments }

    /// The last-seen status of a payment, or `nil` when it was never seen.
    public func lookup(source: String, paymentID: String) -> PaymentState? {
        payments[PaymentKey(source: source, paymentID: paymentID)]
    }

    /// The seq of the stored notification with this event id (today's form), if any.
    /// On a digest hit this reads the candidate record from the log (a duplicate delivery costs
    /// one `pread` of a page-cached record on the caller's thread).
    public func dedup(id: String) -> UInt64? { dedupTable.lookup(id) { check(seq: $0, holds: id) } }

    /// The seq of the stored notification with `event`'s identity, if any.
    public func dedup(_ event: NormalizedEvent) -> UInt64? { dedup(id: Self.dedupKey(event).string) }

    /// Whether the record at `seq` stored identity `id`: a read error or another record type
    /// counts as another identity (a missed duplicate is stored again, harmlessly; a false
    /// duplicate would lose a notification).
    func check(seq: UInt64, holds id: String) -> DedupCheck {
        guard let records, let location = location(of: seq) else { return .gone }
        let read: LogRecord?
        do throws(LogReadError) { read = try records.read(at: location) } catch { return .different }
        guard let record = read else { return .gone }
        guard let event = record.event else { return .different }
        return ByteString(Self.dedupKey(event).string) == ByteString(id) ? .same : .different
    }

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
    /// Calls `body` with every payment (start-up of indexes kept beside this one, e.g. the
    /// console's search).
    public func forEachPayment(_ body: (PaymentState) -> Void) { payments.forEach(body) }
    public var dedupCount: Int { dedupTable.count }
    /// Seq of the newest durable record, 0 for an empty log.
    public var lastSeq: UInt64 { segmentMap.lastSeq }

    /// Where the record of `seq` lies, or `nil` when it is not (or no longer) in the log.
    public func location(of seq: UInt64) -> RecordLocation? { segmentMap.location(of: seq) }

    /// Folds in a record after the writer reported it durable (or during recovery).
    /// `frameBytes` is the record's size on disk.
    public mutating func apply(_ payload: LogPayload, at appended: AppendedRecord, frameBytes: Int) {
        segmentMap.append(appended, frameBytes: frameBytes, receivedAtMs: payload.receivedAtMs)
        guard case .event(_, var event) = payload else { return }
        event.seq = appended.seq
        applyEvent(event)
    }

    /// Recovery's fold: decodes the record (the event fields only, not the request) and applies it.
    public mutating func recover(_ record: RawRecord, at appended: AppendedRecord, frameBytes: Int) throws(DecodeError) {
        let decoded = try RecordCodec.decodePayload(record.payload, requestFields: false)
        apply(decoded.payload, at: appended, frameBytes: frameBytes)
    }

    mutating func applyEvent(_ event: NormalizedEvent) {
        if event.quarantined != nil { quarantinedCount += 1 }
        let key = Self.dedupKey(event)
        dedupTable.insert(key.string, seq: event.seq)
        guard let paymentID = event.paymentID else { return }
        payments.apply(event, paymentID: paymentID)
    }

    /// Forgets the location summaries of segments deleted by retention (dedup entries and
    /// payment states stay until `expire(through:)`: the dedup window outlives retention).
    public mutating func dropSegments(through lastSeq: UInt64) {
        for s in segmentMap.segments where s.lastSeq <= lastSeq { retired.append(RetiredSegment(lastSeq: s.lastSeq, newestMs: s.newestMs)) }
        segmentMap.dropSegments(through: lastSeq)
    }
}

extension LogIndex: Equatable {
    /// Equal when every index holds the same entries (snapshot + replay versus full replay).
    public static func == (a: LogIndex, b: LogIndex) -> Bool {
        a.segmentMap == b.segmentMap && a.dedupTable == b.dedupTable && a.payments == b.payments
            && a.quarantinedCount == b.quarantinedCount && a.retired == b.retired
    }
}

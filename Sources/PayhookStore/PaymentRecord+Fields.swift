import PayhookCore
import PayhookLog

/// A payment's last-seen state read in place from its record (`PaymentRecord`): the status
/// answer is written from these bytes, so a query makes no `PaymentState`, no `String` per field
/// and no array of event seqs (those were most of a lookup's cost). Valid only inside the
/// closure of `LogIndex.withPaymentRecord`: the spans point into the shard's arena.
public struct PaymentFieldsView {
    /// A text field's UTF-8: bytes in the record, or an entry of the table's intern list
    /// (`PaymentInterns.withUTF8`); either way no `String` is made, retained or released.
    public typealias Text = UnsafeBufferPointer<UInt8>

    public var status: PaymentStatus
    public var provider: Text
    public var kind: Text
    public var merchantRef: Text?
    public var providerStatus: Text?
    public var amount: Text?
    public var currency: Text?
    public var firstSeenMs: Int64
    public var lastSeenMs: Int64
    public var lastSeq: UInt64
    /// How many notifications the payment has (`PaymentState.events`); the seqs are not read.
    public var events: Int
}

extension PaymentRecord {
    /// The fields of a trusted record (an arena this process wrote or validated) whose key `r`
    /// has just read (`PaymentRecordView.key`, `status` from its head): the probe's reader goes
    /// on, and the key is not read twice.
    static func fields(
        _ r: inout PaymentRecordReader, status: PaymentStatus, interns: PaymentInterns, utf8: InternedUTF8
    ) throws(DecodeError) -> PaymentFieldsView {
        func text(_ f: PaymentRecordView.Field) -> PaymentFieldsView.Text? {
            switch f {
            case .absent: nil
            case .inline(let b): b
            case .interned(let id): utf8[id]
            }
        }
        func required(_ f: PaymentRecordView.Field, _ what: String, _ r: PaymentRecordReader) throws(DecodeError) -> PaymentFieldsView.Text {
            guard let t = text(f) else { throw r.fail("\(what) is absent") }
            return t
        }
        let lastSeq = try r.varint("last_seq")
        let provider = try required(r.field("provider", interns: interns), "provider", r)
        let kind = try required(r.field("kind", interns: interns), "kind", r)
        let merchantRef = text(try r.field("merchant_ref", interns: interns))
        let providerStatus = text(try r.field("provider_status", interns: interns))
        let amount = text(try r.field("amount", interns: interns))
        let currency = text(try r.field("currency", interns: interns))
        let firstSeenMs = unzigzag(try r.varint("first_seen"))
        let lastSeenMs = firstSeenMs &+ unzigzag(try r.varint("last_seen"))
        let events = try r.varint("event count")
        return PaymentFieldsView(
            status: status, provider: provider, kind: kind, merchantRef: merchantRef, providerStatus: providerStatus, amount: amount,
            currency: currency, firstSeenMs: firstSeenMs, lastSeenMs: lastSeenMs, lastSeq: lastSeq, events: Int(events))
    }
}

/// What a payment's record depends on, as far as the index can tell in a load or two: the
/// change stamp of its group of shards (new at every write to any of them, `PaymentTable`) and
/// the intern list's stamp. While both stay the same, so does the record. Stamps are unique in
/// the process, so one from another table (or another state of this one) never matches.
public struct PaymentChangeStamp: Equatable, Sendable {
    public let group: UInt64
    public let interns: UInt64
}

/// A payment's record as it lies in the table (`LogIndex.withPaymentRecord`): with the intern
/// list's stamp, everything the payment's state is read from. Two lookups that give the same
/// bytes and stamp give the same state; a payment that changed has a new record.
public struct PaymentRecordBytes {
    /// The key's stable 64-bit hash (`PaymentTable.hash`).
    public let keyHash: UInt64
    /// The record: its key and every field (valid inside the lookup's closure only).
    public let bytes: UnsafeBufferPointer<UInt8>
    /// The intern list's state (`PaymentInterns.stamp`): the entries the record's interned
    /// fields name.
    public let internStamp: UInt64
}

extension PaymentTable {
    /// Calls `body` with the record of payment (`source`, `paymentID`) and a function that reads
    /// its fields, in the same pass as the probe that found it; false, without calling `body`,
    /// when it is not here.
    func withRecord(
        source: UnsafeBufferPointer<UInt8>, paymentID: UnsafeBufferPointer<UInt8>, _ body: (PaymentRecordBytes, () -> PaymentFieldsView) -> Void
    ) -> Bool {
        guard !shards.isEmpty else { return false }
        let h = Self.hash(source: source, paymentID: paymentID)
        let shard = shards[Self.shard(of: h)]
        return interns.withUTF8 { utf8 in
            shard.arena.withUnsafeBufferPointer { a in
                guard let found = shard.probe(a, hash: h, source: source, paymentID: paymentID, interns: interns, utf8: utf8) else { return false }
                let record = PaymentRecordBytes(
                    keyHash: h, bytes: UnsafeBufferPointer(rebasing: a[found.start..<found.view.end]), internStamp: interns.stamp)
                body(record) {
                    var r = found.reader
                    return try! PaymentRecord.fields(&r, status: found.view.status, interns: interns, utf8: utf8)
                }
                return true
            }
        }
    }
}

extension LogIndex {
    /// The key hash (`PaymentTable.hash`) of payment (`source`, `paymentID`), given as its UTF-8
    /// bytes.
    public static func paymentKeyHash(source: UnsafeRawBufferPointer, paymentID: UnsafeRawBufferPointer) -> UInt64 {
        PaymentTable.hash(source: source.assumingMemoryBound(to: UInt8.self), paymentID: paymentID.assumingMemoryBound(to: UInt8.self))
    }

    /// The change stamp (`PaymentChangeStamp`) of the payment whose key hash is `keyHash`,
    /// without reading the payment's shard. `mutating` for the reason `withPaymentRecord` is.
    public mutating func paymentChangeStamp(keyHash: UInt64) -> PaymentChangeStamp { payments.changeStamp(hash: keyHash) }

    /// Starts loading `paymentChangeStamp(keyHash:)`'s stamp (a hint, see `cshim_prefetch`).
    public mutating func prefetchPaymentChangeStamp(keyHash: UInt64) { payments.prefetchChangeStamp(hash: keyHash) }

    /// Calls `body` with a payment's record (`PaymentRecordBytes`) and a function that reads its
    /// last-seen state from the record's bytes (`PaymentFieldsView`, the same state as
    /// `lookup`), the key given as its UTF-8 bytes: a cache of answers keyed by the record reads
    /// no field when it holds the answer. Returns false, without calling `body`, when the payment
    /// was never seen. Not generic: a generic function across the module boundary runs
    /// unspecialized.
    ///
    /// `mutating` only so that the index is passed by address (it changes nothing): called on
    /// an index held in a class's stored property (the daemon's store), a non-mutating method
    /// copied the whole `LogIndex` first (a retain and release of each of its tables per status
    /// query), because `body` might have written to that property meanwhile.
    public mutating func withPaymentRecord(
        source: UnsafeRawBufferPointer, paymentID: UnsafeRawBufferPointer, _ body: (PaymentRecordBytes, () -> PaymentFieldsView) -> Void
    ) -> Bool {
        payments.withRecord(source: source.assumingMemoryBound(to: UInt8.self), paymentID: paymentID.assumingMemoryBound(to: UInt8.self), body)
    }
}

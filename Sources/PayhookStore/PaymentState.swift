import PayhookCore
import PayhookLog

/// (source, payment_id): the key of the last-seen status index, compared byte for byte (two
/// spellings of one text, NFC and NFD, are two payments; `String`'s `==` would merge them).
public struct PaymentKey: Hashable, Sendable {
    public var source: String
    public var paymentID: String
    public init(source: String, paymentID: String) {
        self.source = source
        self.paymentID = paymentID
    }

    public static func == (a: PaymentKey, b: PaymentKey) -> Bool {
        ByteString(a.source) == ByteString(b.source) && ByteString(a.paymentID) == ByteString(b.paymentID)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ByteString(source))
        hasher.combine(ByteString(paymentID))
    }
}

/// The last-seen status of one payment, answered from memory by `GET /v1/payments/...`.
public struct PaymentState: Sendable, Equatable {
    public var source: String
    public var paymentID: String
    public var provider: String
    public var kind: String
    public var merchantRef: String?
    /// `unknown` until a notification with a ranked status arrives.
    public var status: PaymentStatus
    public var providerStatus: String?
    public var amount: String?
    public var currency: String?
    public var firstSeenMs: Int64
    public var lastSeenMs: Int64
    /// Seq of the newest notification recorded for the payment (whether or not it moved status).
    public var lastSeq: UInt64
    /// Seqs of every notification of the payment, oldest first (`events` is their count).
    public var eventSeqs: [UInt64]

    public var events: Int { eventSeqs.count }

    /// The state after the first notification of a payment.
    public init(first e: NormalizedEvent, paymentID: String) {
        source = e.source
        self.paymentID = paymentID
        provider = e.provider
        kind = e.kind
        merchantRef = e.merchantRef
        status = .unknown
        providerStatus = nil
        amount = e.amount
        currency = e.currency
        firstSeenMs = e.receivedAtMs
        lastSeenMs = e.receivedAtMs
        lastSeq = 0
        eventSeqs = []
        apply(e)
    }

    /// A state with its identity and nothing else yet (a compact record being decoded).
    init(source: String, paymentID: String, provider: String, kind: String, status: PaymentStatus) {
        self.source = source
        self.paymentID = paymentID
        self.provider = provider
        self.kind = kind
        self.status = status
        firstSeenMs = 0
        lastSeenMs = 0
        lastSeq = 0
        eventSeqs = []
    }

    /// Folds one more notification in, per design.md "Last-seen status":
    /// - history (`eventSeqs`, `lastSeq`, `lastSeenMs`) always records it;
    /// - the status moves only when `PaymentStatus.replaces(new, current:)` (never backwards,
    ///   `unknown` never moves it, equal ranks replace); then `provider_status` follows, and
    ///   `merchant_ref`, `amount`, `currency` take the new event's values where it has them;
    /// - otherwise those three only fill in what is still missing.
    public mutating func apply(_ e: NormalizedEvent) {
        eventSeqs.append(e.seq)
        lastSeq = max(lastSeq, e.seq)
        firstSeenMs = min(firstSeenMs, e.receivedAtMs)
        lastSeenMs = max(lastSeenMs, e.receivedAtMs)
        if PaymentStatus.replaces(e.status, current: status) {
            status = e.status
            providerStatus = e.providerStatus
            merchantRef = e.merchantRef ?? merchantRef
            amount = e.amount ?? amount
            currency = e.currency ?? currency
        } else {
            merchantRef = merchantRef ?? e.merchantRef
            amount = amount ?? e.amount
            currency = currency ?? e.currency
        }
    }
}

/// One provider notification, normalized (schema `payhook.event/v1`, see `design.md`).
///
/// The provider's body itself is not a field: it is kept byte for byte in the log record, and
/// rendered as `data` when the event is written out as JSON.
public struct NormalizedEvent: Sendable, Equatable {
    public static let schema = "payhook.event/v1"

    /// Stable identity, usable by consumers as an idempotency key: `source:payment_id:event`
    /// with `%` and `:` escaped inside each component (`EventID.make`).
    public var id: String
    public var seq: UInt64
    public var source: String
    public var provider: String
    public var kind: String
    public var paymentID: String?
    public var merchantRef: String?
    public var status: PaymentStatus
    public var providerStatus: String?
    public var providerEvent: String?
    /// A decimal string exactly as the provider meant it; never a binary float.
    public var amount: String?
    public var currency: String?
    /// The provider's own time for the event, verbatim (ISO 8601 or the provider's format).
    public var occurredAt: String?
    /// Receive time, Unix milliseconds.
    public var receivedAtMs: Int64
    /// How the request was authenticated (`sha512-fields`, `hmac-sha256-hex`, `none`, ...).
    public var verifiedBy: String
    /// Why the notification is stored but not understood; `nil` when it was understood.
    public var quarantined: String?

    public init(
        id: String, seq: UInt64 = 0, source: String, provider: String, kind: String,
        paymentID: String?, merchantRef: String? = nil, status: PaymentStatus,
        providerStatus: String? = nil, providerEvent: String? = nil, amount: String? = nil,
        currency: String? = nil, occurredAt: String? = nil, receivedAtMs: Int64,
        verifiedBy: String, quarantined: String? = nil
    ) {
        self.id = id
        self.seq = seq
        self.source = source
        self.provider = provider
        self.kind = kind
        self.paymentID = paymentID
        self.merchantRef = merchantRef
        self.status = status
        self.providerStatus = providerStatus
        self.providerEvent = providerEvent
        self.amount = amount
        self.currency = currency
        self.occurredAt = occurredAt
        self.receivedAtMs = receivedAtMs
        self.verifiedBy = verifiedBy
        self.quarantined = quarantined
    }
}

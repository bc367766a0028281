import PayhookCore

/// What delivery needs to know about one stored event: enough to filter it and to order it per
/// payment. The body is not here: the caller reads it from the log by `seq` when it sends.
public struct HookEvent: Sendable, Equatable {
    public var seq: UInt64
    /// The event id (`source:payment_id:event`), sent as `Payhook-Event-Id` and `webhook-id`.
    public var id: String
    public var source: String
    public var paymentID: String?
    public var status: PaymentStatus
    public var kind: String
    public var quarantined: Bool

    public init(
        seq: UInt64, id: String, source: String, paymentID: String?, status: PaymentStatus, kind: String,
        quarantined: Bool = false
    ) {
        self.seq = seq
        self.id = id
        self.source = source
        self.paymentID = paymentID
        self.status = status
        self.kind = kind
        self.quarantined = quarantined
    }

    /// The summary of a normalized event.
    public init(_ event: NormalizedEvent) {
        self.init(
            seq: event.seq, id: event.id, source: event.source, paymentID: event.paymentID, status: event.status,
            kind: event.kind, quarantined: event.quarantined != nil)
    }

    /// The payment this event belongs to, or nil when it names none (it is then ordered with
    /// nothing: no other event can be "the same payment").
    public var paymentKey: PaymentKey? {
        paymentID.map { PaymentKey(source: source, paymentID: $0) }
    }
}

/// A payment's identity for ordering: `source` and `payment_id` compared byte for byte.
///
/// Why bytes and not `String`: Swift's `String ==` and hashing use Unicode canonical
/// equivalence, so "é" (U+00E9) and "e" + U+0301 would be one payment. Providers compare ids as
/// bytes; two ids that differ in bytes are two payments, and merging them would hold one
/// payment's events behind another's failure.
public struct PaymentKey: Hashable, Sendable, CustomStringConvertible {
    /// The source's UTF-8 length as 4 bytes, the source's bytes, then the payment id's bytes:
    /// the length prefix keeps ("ab", "c") and ("a", "bc") apart.
    public let bytes: [UInt8]

    public init(source: String, paymentID: String) {
        var b: [UInt8] = []
        b.reserveCapacity(4 + source.utf8.count + paymentID.utf8.count)
        let n = UInt32(source.utf8.count)
        b.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)])
        b.append(contentsOf: source.utf8)
        b.append(contentsOf: paymentID.utf8)
        bytes = b
    }

    public var description: String { String(decoding: bytes.dropFirst(4), as: UTF8.self) }

    /// The bytes in one call: the synthesized hash combined them one `UInt8` at a time, a
    /// Hasher round per byte, twice per delivery (profiled on a backlog drain).
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public static func == (a: PaymentKey, b: PaymentKey) -> Bool { a.bytes == b.bytes }
}

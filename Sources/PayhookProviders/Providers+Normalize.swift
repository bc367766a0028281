import PayhookCore

extension Providers {
    /// Turns an authentic body into a normalized event. Never fails: a body that is not
    /// understood yields an event with `quarantined` set (`not_json`, `not_object`,
    /// `missing_field:<name>`, `wrong_type:<name>`, `empty_field:<name>`, `invalid_field:<name>`)
    /// and an id that is stable for identical bodies (`<source>:quarantine:<sha-256 prefix>`).
    /// The body is valid JSON, and so may be written out as `data`, unless the reason is `not_json`.
    ///
    /// - Parameters:
    ///   - receivedAtMs: receive time, Unix milliseconds (the caller reads the clock).
    ///   - verifiedBy: the scheme name from `Verification.verified(by:)`.
    ///   - previousStatus: the last-seen status of a payment id, if any (Noventiq's `deleted` means
    ///     `refunded` after `succeeded`, `cancelled` otherwise).
    public static func normalize(
        _ source: ProviderSource, body: [UInt8], receivedAtMs: Int64, verifiedBy: String,
        previousStatus: (_ paymentID: String) -> PaymentStatus?
    ) -> NormalizedEvent {
        do throws(Quarantine) {
            guard let root = try? JSONParser.parse(body, limits: source.jsonLimits) else { throw Quarantine("not_json") }
            guard root.objectMembers != nil else { throw Quarantine("not_object") }
            let fields: Fields
            switch source.provider {
            case .nonstopay: fields = try Nonstopay.fields(of: root, kind: source.kind)
            case .noventiq: fields = try Noventiq.fields(of: root, previousStatus: previousStatus)
            }
            return NormalizedEvent(
                id: EventID.make(source: source.name, paymentID: fields.paymentID, event: fields.event), source: source.name,
                provider: source.provider.rawValue, kind: source.kind, paymentID: fields.paymentID,
                merchantRef: fields.merchantRef, status: fields.status, providerStatus: fields.providerStatus,
                providerEvent: fields.event, amount: fields.amount, currency: fields.currency,
                occurredAt: fields.occurredAt, receivedAtMs: receivedAtMs, verifiedBy: verifiedBy)
        } catch {
            return quarantined(source, body: body, reason: error.reason, receivedAtMs: receivedAtMs, verifiedBy: verifiedBy)
        }
    }

    /// `normalize` with a fixed previous status, whatever the payment id (tests, tools).
    public static func normalize(
        _ source: ProviderSource, body: [UInt8], receivedAtMs: Int64, verifiedBy: String, previousStatus: PaymentStatus?
    ) -> NormalizedEvent {
        normalize(source, body: body, receivedAtMs: receivedAtMs, verifiedBy: verifiedBy, previousStatus: { _ in previousStatus })
    }

    /// Hex digits of the body's SHA-256 in a quarantined event's id (128 bits).
    static let quarantineDigestHexDigits = 32

    /// The event of an authentic body that is stored but not understood: status `unknown`, no
    /// payment id, an id stable for identical bodies. Also used by the daemon when an event's
    /// fields do not fit the log's bounds.
    public static func quarantined(
        _ source: ProviderSource, body: [UInt8], reason: String, receivedAtMs: Int64, verifiedBy: String
    ) -> NormalizedEvent {
        let digest = Encoding.hex(Crypto.sha256(body)).prefix(quarantineDigestHexDigits)
        return NormalizedEvent(
            id: EventID.make(source: source.name, paymentID: "quarantine", event: String(digest)), source: source.name,
            provider: source.provider.rawValue,
            kind: source.kind, paymentID: nil, status: .unknown, receivedAtMs: receivedAtMs,
            verifiedBy: verifiedBy, quarantined: reason)
    }
}

/// Why an authentic body is stored but not understood.
struct Quarantine: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// What a provider adapter extracts from a body it understood.
struct Fields {
    var paymentID: String
    /// The provider's event (Noventiq `event`) or status string (Nonstopay): part of the identity.
    var event: String
    var status: PaymentStatus
    var providerStatus: String?
    var merchantRef: String?
    var amount: String?
    var currency: String?
    var occurredAt: String?
}

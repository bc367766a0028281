import PayhookCore
import PayhookStore

/// A payment's JSON as `GET /v1/payments/{source}/{payment_id}` answers it; also the value of
/// a NATS hook's status bucket entry (one shape for both readers).
enum PaymentJSON {
    /// `verifiedBy`: the source's signature scheme (which fields the signature covers).
    static func encode(_ state: PaymentState, verifiedBy: String) -> [UInt8] {
        var w = JSONWriter(reservingCapacity: 768)  // a payment's JSON in one allocation
        w.beginObject()
        w.key("source")
        w.string(state.source)
        w.key("provider")
        w.string(state.provider)
        w.key("kind")
        w.string(state.kind)
        w.key("payment_id")
        w.string(state.paymentID)
        w.key("merchant_ref")
        w.stringOrNull(state.merchantRef)
        w.key("status")
        w.string(state.status.rawValue)
        w.key("provider_status")
        w.stringOrNull(state.providerStatus)
        w.key("amount")
        w.stringOrNull(state.amount)
        w.key("currency")
        w.stringOrNull(state.currency)
        // A source no longer configured has no known scheme: every field is listed.
        w.key("unsigned")
        w.beginArray()
        for field in SignatureCoverage.unsignedPaymentFields(verifiedBy: verifiedBy, status: state.status) { w.string(field) }
        w.endArray()
        w.key("first_seen")
        w.string(Timestamp.iso8601(unixMs: state.firstSeenMs))
        w.key("last_seen")
        w.string(Timestamp.iso8601(unixMs: state.lastSeenMs))
        w.key("last_seq")
        w.integer(state.lastSeq)
        w.key("events")
        w.integer(state.events)
        w.endObject()
        return w.bytes
    }
}

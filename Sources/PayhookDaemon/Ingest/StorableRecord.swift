import PayhookCore
import PayhookLog
import PayhookProviders
import PayhookStore

/// Makes an authentic request storable whatever it holds: an authentic notification must never
/// be refused for its shape (the provider would retry a 5xx until it gives up, and the event
/// would be lost). Body sizes are bounded by `max_body_bytes`, which the log's body bound
/// follows; the request's audit fields are cut by `LogLimits.fitted`, and an event whose own
/// fields (the store's event field table) do not fit is quarantined here.
enum StorableRecord {
    /// The event itself when every field fits; otherwise the body is quarantined
    /// (`field_too_long:<field>`), keeping it byte for byte under an id of its own.
    static func event(_ event: NormalizedEvent, source: ProviderSource, body: [UInt8], limits: LogLimits) -> NormalizedEvent {
        guard let name = limits.fieldOverLimit(event) else { return event }
        return Providers.quarantined(
            source, body: body, reason: "field_too_long:\(name)", receivedAtMs: event.receivedAtMs, verifiedBy: event.verifiedBy)
    }
}

import PayhookCore
import PayhookLog
import PayhookProviders

/// Makes an authentic request storable whatever it holds: an authentic notification must never
/// be refused for its shape (the provider would retry a 5xx until it gives up, and the event
/// would be lost). Body sizes are bounded by `max_body_bytes`, which the log's body bound
/// follows; what else could exceed the log's bounds is cut here, on purpose and visibly.
enum StorableRecord {
    /// Audit headers: at most `headerCountMax`, each value cut to `fieldBytesMax` bytes.
    static func headers(_ headers: [(name: String, value: String)], kept: Set<String>, limits: LogLimits) -> [HeaderField] {
        var out: [HeaderField] = []
        for h in headers where kept.contains(h.name.lowercased()) && out.count < limits.headerCountMax {
            out.append(HeaderField(cut(h.name, limits.fieldBytesMax), cut(h.value, limits.fieldBytesMax)))
        }
        return out
    }

    /// The event itself when every field fits; otherwise the body is quarantined
    /// (`field_too_long:<field>`), keeping it byte for byte under an id of its own.
    static func event(_ event: NormalizedEvent, source: ProviderSource, body: [UInt8], limits: LogLimits) -> NormalizedEvent {
        let fields: [(String, String?)] = [
            ("id", event.id), ("payment_id", event.paymentID), ("merchant_ref", event.merchantRef),
            ("provider_status", event.providerStatus), ("provider_event", event.providerEvent), ("amount", event.amount),
            ("currency", event.currency), ("occurred_at", event.occurredAt),
        ]
        guard let (name, _) = fields.first(where: { ($0.1?.utf8.count ?? 0) > limits.fieldBytesMax }) else { return event }
        return Providers.quarantined(
            source, body: body, reason: "field_too_long:\(name)", receivedAtMs: event.receivedAtMs, verifiedBy: event.verifiedBy)
    }

    /// `s` cut to at most `max` bytes of UTF-8, at a character boundary.
    static func cut(_ s: String, _ max: Int) -> String {
        guard s.utf8.count > max else { return s }
        var out = ""
        for c in s {
            if out.utf8.count + String(c).utf8.count > max { break }
            out.append(c)
        }
        return out
    }
}

import PayhookCore
import PayhookLog

/// The event's fields as a record stores them after the request, in record order (format in
/// `RecordCodec.swift`): the one list the codec writes from and the limits check by name, so a
/// field added to the format is bounded too. (`source` comes before the request; the snapshot
/// keeps payment state, not events; `NormalizedEvent+JSON` in PayhookCore has its own order,
/// fixed by the contract's JSON.)
enum EventField: Sendable {
    case required(String, WritableKeyPath<NormalizedEvent, String> & Sendable)
    case optional(String, WritableKeyPath<NormalizedEvent, String?> & Sendable)
    /// u8, `RecordCodec.statusCode`.
    case status

    static let afterRequest: [EventField] = [
        .required("verified_by", \.verifiedBy), .required("id", \.id), .required("provider", \.provider),
        .required("kind", \.kind), .optional("payment_id", \.paymentID), .optional("merchant_ref", \.merchantRef), .status,
        .optional("provider_status", \.providerStatus), .optional("provider_event", \.providerEvent),
        .optional("amount", \.amount), .optional("currency", \.currency), .optional("occurred_at", \.occurredAt),
        .optional("quarantined", \.quarantined),
    ]

    /// Name and value of every string field of `event` (source first), for the limits.
    static func strings(of event: NormalizedEvent) -> [(String, String?)] {
        var out: [(String, String?)] = [("source", event.source)]
        for field in afterRequest {
            switch field {
            case .required(let name, let path): out.append((name, event[keyPath: path]))
            case .optional(let name, let path): out.append((name, event[keyPath: path]))
            case .status: break
            }
        }
        return out
    }

    /// Appends the fields after the request, in record order.
    static func encode(_ event: NormalizedEvent, into w: inout ByteWriter) {
        for field in afterRequest {
            switch field {
            case .required(_, let path): w.string(event[keyPath: path])
            case .optional(_, let path): w.optional(event[keyPath: path])
            case .status: w.u8(RecordCodec.statusCode(event.status))
            }
        }
    }
}

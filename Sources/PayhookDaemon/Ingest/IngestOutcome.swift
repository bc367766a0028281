import PayhookProviders

/// What became of one notification run through the ingest checks (`IngestRoute.ingest`): the
/// live route turns it into the provider's answer (`response`), `rejects reverify` counts it.
enum IngestOutcome: Equatable, Sendable {
    /// Stored and durable (fdatasync returned).
    case stored(id: String, seq: UInt64)
    /// Authentic but not understood: stored, durable, flagged with the reason.
    case quarantined(id: String, seq: UInt64, reason: String)
    /// The same identity was stored before as `seq` (flagged when the original was quarantined).
    case duplicate(id: String, of: UInt64, quarantined: String?)
    /// Refused before anything was stored.
    case rejected(Refusal)
    /// Authentic, but the log cannot make it durable now; the provider should send it again.
    case unavailable(message: String, retryAfterSeconds: Int)

    /// Whether the notification is in the log now (stored, quarantined or stored before).
    var isDurable: Bool {
        switch self {
        case .stored, .quarantined, .duplicate: true
        case .rejected, .unavailable: false
        }
    }

    /// Why a notification is refused, in the order the checks run.
    enum Refusal: Error, Equatable, Sendable {
        case methodNotAllowed
        case unsupportedMediaType
        /// The client (after `trusted_proxies`) is not in the source's `allow_from`.
        case forbidden(client: String)
        case badSignature(RejectReason)

        /// Stable name for metrics, logs and the reverify summary.
        var name: String {
            switch self {
            case .methodNotAllowed: "method_not_allowed"
            case .unsupportedMediaType: "unsupported_media_type"
            case .forbidden: "forbidden"
            case .badSignature(let reason): reason.rawValue
            }
        }
    }
}

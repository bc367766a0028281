import PayhookCore
import PayhookLog
import PayhookStore

extension IngestOutcome {
    /// The answer to the provider (`design.md`, Ingest): the one place an outcome becomes HTTP.
    var response: Response {
        switch self {
        case .stored(let id, let seq): Self.accepted(id: id, seq: seq, duplicate: false, quarantined: nil)
        case .quarantined(let id, let seq, let reason): Self.accepted(id: id, seq: seq, duplicate: false, quarantined: reason)
        case .duplicate(let id, let seq, let reason): Self.accepted(id: id, seq: seq, duplicate: true, quarantined: reason)
        case .rejected(.methodNotAllowed): APIError.methodNotAllowed(allow: ["POST"]).response
        case .rejected(.unsupportedMediaType): APIError.unsupportedMediaType("Content-Type must be application/json").response
        case .rejected(.forbidden(let client)): APIError.forbidden("client \(client) is not in the source's allow_from").response
        case .rejected(.badSignature(let reason)): APIError.badSignature(reason.message).response
        case .unavailable(let message, let after): APIError.unavailable(message, retryAfterSeconds: after).response
        }
    }

    /// `{"ok":true,"id":...,"seq":n,"duplicate":false}` (+ `"quarantined"` when flagged).
    private static func accepted(id: String, seq: UInt64, duplicate: Bool, quarantined: String?) -> Response {
        var w = JSONWriter()
        w.beginObject()
        w.key("ok")
        w.bool(true)
        w.key("id")
        w.string(id)
        w.key("seq")
        w.integer(seq)
        w.key("duplicate")
        w.bool(duplicate)
        if let quarantined {
            w.key("quarantined")
            w.string(quarantined)
        }
        w.endObject()
        return Response(status: 200, headers: [("Content-Type", "application/json")], body: w.bytes)
    }

    /// The outcome of an event whose append failed.
    static func unavailable(_ error: LogWriteError) -> IngestOutcome {
        switch error {
        case .shuttingDown: .unavailable(message: "shutting down; send again", retryAfterSeconds: 5)
        case .storageFull: .unavailable(message: "storage is full; send again later", retryAfterSeconds: 30)
        case .tooLarge: .unavailable(message: "the request cannot be stored", retryAfterSeconds: 60)
        case .io, .failed: .unavailable(message: "storage cannot make the event durable; send again later", retryAfterSeconds: 10)
        }
    }
}

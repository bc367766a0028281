import PayhookCore

/// Every error a route or the connection answers with. The mapping to status, code and headers
/// is the one `switch` in `response`, so each error looks the same wherever it comes from.
public enum APIError: Error, Equatable, Sendable {
    case notFound(path: String)
    case unknownSource(String)
    case methodNotAllowed(allow: [String])
    case unauthorized
    case badSignature(String)
    case forbidden(String)
    /// The body is over `limitBytes`, set by `setting` (`max_body_bytes`, or a source's).
    case payloadTooLarge(limitBytes: Int, setting: String)
    case unsupportedMediaType(String)
    case badRequest(String)
    /// Malformed HTTP, with the status the parser chose (400, 408, 413, 414, 431, 501, 505).
    case malformedHTTP(status: Int, reason: String)
    case requestTimeout
    /// The request conflicts with work in progress (409).
    case conflict(String)
    case tooManyConnections
    case unavailable(String, retryAfterSeconds: Int)
    case `internal`(String)

    /// The JSON answer: `{"ok":false,"error":{"code":...,"message":...}}`.
    public var response: Response {
        let (status, code, message, extra): (Int, String, String, [(name: String, value: String)])
        switch self {
        case .notFound(let path): (status, code, message, extra) = (404, "not_found", "no route for \(path)", [])
        case .unknownSource(let s): (status, code, message, extra) = (404, "unknown_source", "no source named \(s)", [])
        case .methodNotAllowed(let allow):
            (status, code, message, extra) = (
                405, "method_not_allowed", "allowed: \(allow.joined(separator: ", "))", [("Allow", allow.joined(separator: ", "))]
            )
        case .unauthorized:
            (status, code, message, extra) = (401, "unauthorized", "missing or wrong bearer token", [("WWW-Authenticate", "Bearer")])
        case .badSignature(let m): (status, code, message, extra) = (401, "bad_signature", m, [])
        case .forbidden(let m): (status, code, message, extra) = (403, "forbidden", m, [])
        case .payloadTooLarge(let limit, let setting):
            (status, code, message, extra) = (413, "payload_too_large", "body over \(limit) bytes (\(setting))", [])
        case .unsupportedMediaType(let m): (status, code, message, extra) = (415, "unsupported_media_type", m, [])
        case .badRequest(let m): (status, code, message, extra) = (400, "bad_request", m, [])
        case .malformedHTTP(let s, let m): (status, code, message, extra) = (s, "malformed_http", m, [])
        case .requestTimeout: (status, code, message, extra) = (408, "request_timeout", "request not received in time", [])
        case .conflict(let m): (status, code, message, extra) = (409, "conflict", m, [])
        case .tooManyConnections:
            (status, code, message, extra) = (503, "too_many_connections", "connection limit reached", [("Retry-After", "1")])
        case .unavailable(let m, let after): (status, code, message, extra) = (503, "unavailable", m, [("Retry-After", "\(after)")])
        case .internal(let m): (status, code, message, extra) = (500, "internal", m, [])
        }
        var w = JSONWriter()
        w.beginObject()
        w.key("ok")
        w.bool(false)
        w.key("error")
        w.beginObject()
        w.key("code")
        w.string(code)
        w.key("message")
        w.string(message)
        w.endObject()
        w.endObject()
        return Response(status: status, headers: [("Content-Type", "application/json")] + extra, body: w.bytes)
    }
}

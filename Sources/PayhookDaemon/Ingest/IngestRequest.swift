import PayhookLog
import PayhookStore

/// A request as the ingest checks see it, whether it arrives now or was kept in the rejects
/// store: `IngestRoute.ingest` runs the same checks on both.
struct IngestRequest {
    var method: String
    var path: String
    /// The TCP peer (`127.0.0.1`, `::1`, `unix`).
    var peerAddress: String
    /// The client after `trusted_proxies`, resolved when the request arrived: a stored request
    /// keeps the address its proxy vouched for then, which today's `allow_from` is checked against.
    var clientAddress: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    /// The headers kept with a stored or rejected request (the rest carry nothing an audit needs).
    static let keptHeaders: Set<String> = ["content-type", "signature", "x-signature", "user-agent", "x-forwarded-for", "x-real-ip"]

    /// A request arriving now; the client is resolved through today's `trusted_proxies`.
    init(_ request: Request, trustedProxies: [IPBlock]) {
        method = request.method
        path = request.path
        peerAddress = request.peer
        clientAddress = ClientAddress.resolve(peer: request.peer, headers: request.headers, trusted: trustedProxies)
        headers = request.headers
        body = request.body
    }

    /// A request kept in the rejects store, as it was received.
    init(_ stored: StoredRequest) {
        method = stored.method
        path = stored.path
        peerAddress = stored.peerAddress
        clientAddress = stored.clientAddress
        headers = stored.headers.map { (name: $0.name, value: $0.value) }
        body = stored.body
    }

    /// The first `Content-Type` field, if any.
    var contentType: String? { headers.first { $0.name.lowercased() == "content-type" }?.value }

    /// The form kept in the log or the rejects store, made to fit the log's bounds.
    func stored(_ limits: LogLimits) -> StoredRequest {
        limits.fitted(
            StoredRequest(
                peerAddress: peerAddress, clientAddress: clientAddress, method: method, path: path,
                headers: headers.filter { Self.keptHeaders.contains($0.name.lowercased()) }.map { HeaderField($0.name, $0.value) },
                body: body, bodyIsJSON: false)
        ).request
    }
}

import PayhookHTTP2

/// Serves one connection that opened with the HTTP/2 preface: feeds its bytes to the
/// `H2Session` framer, turns complete streams into `Request`s for the same `Router`, and
/// answers them on their streams. The `Connection` keeps the socket, the output buffer, the
/// single deadline and the responders (a stream's request id is its stream id).
final class HTTP2Driver {
    struct Pending {
        /// The request until its body is complete and it goes to the route (then nil: the
        /// route has it, and only `isHead` is needed for the answer).
        var request: Request?
        let isHead: Bool
        /// The route's own body limit, when below `max_body_bytes`.
        var limit: BodyLimit?
    }

    unowned(unsafe) let connection: Connection
    let session: H2Session
    // `@exclusivity(unchecked)`: loop thread only, no overlapping accesses (as `Connection`).
    /// Streams with a head and no answer yet.
    @exclusivity(unchecked) var pending: [Int32: Pending] = [:]
    /// Until when each stream in `pending` whose body is still arriving must have it complete
    /// (loop clock). Apart from `pending` so that `settle` finds the next deadline without
    /// copying requests.
    @exclusivity(unchecked) var bodyDueMs: [Int32: Int64] = [:]
    /// When an idle connection (no stream) is closed; from the start it bounds the wait for
    /// the first request by `header_timeout_ms`.
    var idleDueMs: Int64?
    var draining = false
    /// True while `receive` acts on a read's frames: answers given meanwhile (status queries
    /// answer at once) wait for its one `settle`, so a read of 16 requests ends in one write of
    /// 16 answers, not 16 writes.
    private var receiving = false
    /// Bytes of frames taken from the session per refill of the output buffer.
    static let refillBytes = 65_536

    init(connection: Connection) {
        self.connection = connection
        var limits = connection.server.options.h2
        limits.maxBodyBytes = connection.server.options.maxBodyBytes
        session = H2Session(limits: limits)
        idleDueMs = connection.server.loop.nowMs + connection.server.options.connection.headerTimeoutMs
    }

    var server: Server { connection.server }
    var nowMs: Int64 { server.loop.nowMs }

    /// Feeds the connection's buffered input to the framer and acts on what it saw.
    func receive() {
        let now = nowMs
        let result = connection.input.withUnsafeBytes { session.receive($0, nowMs: now) }
        connection.input.removeAll(keepingCapacity: connection.input.capacity <= 65_536)
        if case .success(let events) = result {
            receiving = true
            for event in events { handle(event) }
            receiving = false
        }
        settle()
    }

    private func handle(_ event: H2Event) {
        switch event {
        case .head(let id): headReceived(id)
        case .headersTooLarge(let id):
            answer(id, APIError.malformedHTTP(status: 431, reason: "header list over h2_max_header_list_bytes").response, isHead: false)
        case .bodyTooLarge(let id):
            guard let p = forget(id) else { return }
            let limit = BodyLimit(bytes: server.options.maxBodyBytes, setting: "max_body_bytes")
            answer(id, tooLarge(p.limit ?? limit), isHead: p.isHead)
        case .end(let id): bodyComplete(id)
        case .closed(let id, _):
            _ = forget(id)
            if let i = connection.responders.firstIndex(where: { $0.id == UInt64(id) }) {
                connection.responders.remove(at: i).responder.cancel()
            }
        }
    }

    private func headReceived(_ id: Int32) {
        // A new request is activity: the idle clock (or the first request's deadline) starts
        // again once the connection is idle again. Without this a connection whose every read
        // was answered within that read never looked busy to `settle`, and was cut off
        // `header_timeout_ms` after it opened, however many requests it carried.
        idleDueMs = nil
        guard var head = session.takeHead(of: id) else { return }
        var headers: [(name: String, value: String)] = []
        swap(&headers, &head.fields)
        if !head.authority.isEmpty && !headers.contains(where: { $0.name == "host" }) { headers.append(("host", head.authority)) }
        var request = Request(method: head.method, target: head.path, headers: headers, listener: connection.role, peer: connection.peer)
        if let n = head.contentLength { request.body.reserveCapacity(min(n, server.options.maxBodyBytes)) }
        var limit: BodyLimit? = nil
        if let routeLimit = server.router.bodyLimit(for: request), routeLimit.bytes < server.options.maxBodyBytes { limit = routeLimit }
        // A declared length over the limit is refused before any body byte is buffered.
        let maxBytes = limit?.bytes ?? server.options.maxBodyBytes
        if let n = head.contentLength, n > maxBytes {
            session.discardBody(of: id)
            return answer(id, tooLarge(limit ?? BodyLimit(bytes: maxBytes, setting: "max_body_bytes")), isHead: head.method == "HEAD")
        }
        pending[id] = Pending(request: request, isHead: head.method == "HEAD", limit: limit)
        bodyDueMs[id] = nowMs + server.options.connection.bodyTimeoutMs
    }

    private func bodyComplete(_ id: Int32) {
        guard bodyDueMs.removeValue(forKey: id) != nil, let p = pending[id], var request = p.request else { return }
        pending[id]?.request = nil
        request.body = session.takeBody(of: id)
        if let limit = p.limit, request.body.count > limit.bytes {
            pending[id] = nil
            return answer(id, tooLarge(limit), isHead: p.isHead)
        }
        connection.dispatch(UInt64(id), request)
    }

    /// Drops stream `id` from `pending` (and its body deadline); returns what it held.
    private func forget(_ id: Int32) -> Pending? {
        bodyDueMs[id] = nil
        return pending.removeValue(forKey: id)
    }

    private func tooLarge(_ limit: BodyLimit) -> Response {
        APIError.payloadTooLarge(limitBytes: limit.bytes, setting: limit.setting).response
    }

    /// A route's answer for stream `requestID`.
    func deliver(_ response: Response, for requestID: UInt64) {
        let id = Int32(truncatingIfNeeded: requestID)
        guard let p = forget(id) else { return }
        answer(id, response, isHead: p.isHead)
        if !receiving { settle() }
    }

    /// The session lowercases the names and leaves out connection-specific fields.
    private func answer(_ id: Int32, _ response: Response, isHead: Bool) {
        session.respond(id, status: response.status, date: server.httpDate, fields: response.headers, body: response.body, omitBody: isHead)
    }

    /// Stops reading after the peer's FIN: answers in flight are dropped with the connection.
    func peerClosed() {
        session.terminate(errorCode: 0)
        settle()
    }

    /// Shutdown: GOAWAY; the streams already taken finish, then the connection closes.
    func drain() {
        draining = true
        session.shutdown()
        settle()
    }

    /// The connection's deadline passed: time out bodies that stalled, close an idle connection.
    func deadlinePassed() {
        let now = nowMs
        if let due = idleDueMs, due <= now {
            session.terminate(errorCode: 0)
        } else if let started = session.oldestIncompleteHeadMs, started + server.options.connection.headerTimeoutMs <= now {
            // A header block left open blocks every stream: the connection goes.
            session.terminate(errorCode: 0xB)  // ENHANCE_YOUR_CALM
        }
        for (id, due) in bodyDueMs where due <= now {
            guard let p = forget(id) else { continue }
            session.discardBody(of: id)
            answer(id, APIError.requestTimeout.response, isHead: p.isHead)
        }
        settle()
    }

    /// Moves frames to the output buffer (a bounded amount, the rest as the socket drains),
    /// closes the connection once the session is over, and sets the next deadline.
    func settle() {
        guard connection.isOpen else { return }
        defer {
            let c = session.takeStreamCounts()
            server.stats.h2Streams(connection.role, refused: c.refused, resetSent: c.resetSent, resetReceived: c.resetReceived)
        }
        if draining && pending.isEmpty && session.openStreamCount == 0 { session.terminate(errorCode: 0) }
        if connection.outputPendingBytes < Self.refillBytes { session.send(into: &connection.output, maxBytes: Self.refillBytes) }
        if !session.isAlive {
            return connection.perform(ConnectionState.Actions(.close))
        }
        let idle = pending.isEmpty && session.openStreamCount == 0
        if !idle {
            idleDueMs = nil
        } else if idleDueMs == nil {
            idleDueMs = nowMs + server.options.connection.idleTimeoutMs
        }
        var due = idleDueMs
        if let started = session.oldestIncompleteHeadMs { due = min(due ?? .max, started + server.options.connection.headerTimeoutMs) }
        for d in bodyDueMs.values { due = min(due ?? .max, d) }
        connection.perform(ConnectionState.Actions(.deadline(afterMs: due.map { max(0, $0 - nowMs) })))
    }

    /// Called by the connection as its output drains: more frames, if the session has them.
    func refill() -> Bool {
        guard session.wantsWrite else { return false }
        return session.send(into: &connection.output, maxBytes: Self.refillBytes)
    }
}

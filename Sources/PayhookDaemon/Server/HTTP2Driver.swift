import PayhookHTTP2
import PayhookPosix

/// Serves one connection that opened with the HTTP/2 preface: feeds its bytes to the
/// `H2Session` framer, turns complete streams into `Request`s for the same `Router`, and
/// answers them on their streams. The `Connection` keeps the socket, the output buffer, the
/// single deadline and the responders (a stream's request id is its stream id).
final class HTTP2Driver {
    /// A request whose body is still arriving.
    struct BodyWait {
        var request: Request
        /// The route's own body limit, when below `max_body_bytes`.
        var limit: BodyLimit?
        /// Until when the body must be complete (loop clock).
        var dueMs: Int64
    }

    unowned(unsafe) let connection: Connection
    /// The loop outlives every connection; kept apart from `connection` for `deinit`.
    unowned(unsafe) let loop: EventLoop
    let session: H2Session
    // `@exclusivity(unchecked)`: loop thread only, no overlapping accesses (as `Connection`).
    /// Streams with a head and no answer yet, and whether the request is a HEAD (its answer
    /// carries no body). Only a flag: the request itself went to the route.
    @exclusivity(unchecked) var unanswered: [Int32: Bool] = [:]
    /// The streams of `unanswered` whose body is still arriving (none for a GET: its HEADERS
    /// frame ends the stream, and it goes to the route at once).
    @exclusivity(unchecked) var awaitingBody: [Int32: BodyWait] = [:]
    /// When an idle connection (no stream) is closed; from the start it bounds the wait for
    /// the first request by `header_timeout_ms`.
    var idleDueMs: Int64?
    var draining = false
    /// True while `receive` acts on a read's frames: answers given meanwhile (status queries
    /// answer at once) wait for its one `settle`, so a read of 16 requests ends in one write of
    /// 16 answers, not 16 writes.
    private var receiving = false
    /// Answers given outside `receive` come in batches for many streams (ingest acks after one
    /// fdatasync, from one loop wakeup): they are settled once, by this timer due at once,
    /// which the loop runs after the current batch of events. One write per turn, not one per
    /// answer.
    private var settleTimer: TimerID?
    /// Bytes of frames taken from the session per refill of the output buffer.
    static let refillBytes = 65_536

    init(connection: Connection) {
        self.connection = connection
        self.loop = connection.server.loop
        var limits = connection.server.options.h2
        limits.maxBodyBytes = connection.server.options.maxBodyBytes
        session = H2Session(limits: limits)
        idleDueMs = connection.server.loop.nowMs + connection.server.options.connection.headerTimeoutMs
    }

    deinit { if let settleTimer { loop.releaseTimer(settleTimer) } }

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
            guard let isHead = unanswered.removeValue(forKey: id) else { return }
            let limit = awaitingBody.removeValue(forKey: id)?.limit ?? BodyLimit(bytes: server.options.maxBodyBytes, setting: "max_body_bytes")
            answer(id, tooLarge(limit), isHead: isHead)
        case .end(let id): bodyComplete(id)
        case .closed(let id, _):
            unanswered[id] = nil
            awaitingBody[id] = nil
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
        // No body capacity reserved here: the session buffers the body (`takeBody`).
        let request = Request(method: head.method, target: head.path, headers: headers, listener: connection.role, peer: connection.peer)
        var limit: BodyLimit? = nil
        if let routeLimit = server.router.bodyLimit(for: request), routeLimit.bytes < server.options.maxBodyBytes { limit = routeLimit }
        // A declared length over the limit is refused before any body byte is buffered.
        let maxBytes = limit?.bytes ?? server.options.maxBodyBytes
        if let n = head.contentLength, n > maxBytes {
            session.discardBody(of: id)
            return answer(id, tooLarge(limit ?? BodyLimit(bytes: maxBytes, setting: "max_body_bytes")), isHead: head.method == "HEAD")
        }
        unanswered[id] = head.method == "HEAD"
        // Ended with its HEADERS frame (a GET): no body to wait for, to the route now (its
        // `.end` event follows and finds nothing waiting).
        if session.hasNoBody(id) { return connection.dispatch(UInt64(id), request) }
        awaitingBody[id] = BodyWait(request: request, limit: limit, dueMs: nowMs + server.options.connection.bodyTimeoutMs)
    }

    private func bodyComplete(_ id: Int32) {
        guard var wait = awaitingBody.removeValue(forKey: id) else { return }
        wait.request.body = session.takeBody(of: id)
        if let limit = wait.limit, wait.request.body.count > limit.bytes {
            return answer(id, tooLarge(limit), isHead: unanswered.removeValue(forKey: id) ?? false)
        }
        connection.dispatch(UInt64(id), wait.request)
    }

    private func tooLarge(_ limit: BodyLimit) -> Response {
        APIError.payloadTooLarge(limitBytes: limit.bytes, setting: limit.setting).response
    }

    /// A route's answer for stream `requestID`.
    func deliver(_ response: Response, for requestID: UInt64) {
        let id = Int32(truncatingIfNeeded: requestID)
        // Not in `awaitingBody`: a request goes to its route only once its body is complete.
        guard let isHead = unanswered.removeValue(forKey: id) else { return }
        answer(id, response, isHead: isHead)
        if !receiving { settleSoon() }
    }

    private func settleSoon() {
        let id = settleTimer ?? loop.makeTimer { [weak self] in self?.settle() }
        settleTimer = id
        if !loop.isScheduled(id) { loop.schedule(id, afterMs: 0) }
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
        for (id, wait) in awaitingBody where wait.dueMs <= now {
            awaitingBody[id] = nil
            let isHead = unanswered.removeValue(forKey: id) ?? false
            session.discardBody(of: id)
            answer(id, APIError.requestTimeout.response, isHead: isHead)
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
        if draining && unanswered.isEmpty && session.openStreamCount == 0 { session.terminate(errorCode: 0) }
        if connection.outputPendingBytes < Self.refillBytes { session.send(into: &connection.output, maxBytes: Self.refillBytes) }
        if !session.isAlive {
            return connection.perform(ConnectionState.Actions(.close))
        }
        let idle = unanswered.isEmpty && session.openStreamCount == 0
        if !idle {
            idleDueMs = nil
        } else if idleDueMs == nil {
            idleDueMs = nowMs + server.options.connection.idleTimeoutMs
        }
        var due = idleDueMs
        if let started = session.oldestIncompleteHeadMs { due = min(due ?? .max, started + server.options.connection.headerTimeoutMs) }
        // Streams still sending a body are few (a GET never waits): no copying to speak of.
        for wait in awaitingBody.values { due = min(due ?? .max, wait.dueMs) }
        connection.perform(ConnectionState.Actions(.deadline(afterMs: due.map { max(0, $0 - nowMs) })))
    }

    /// Called by the connection as its output drains: more frames, if the session has them.
    func refill() -> Bool {
        guard session.wantsWrite else { return false }
        return session.send(into: &connection.output, maxBytes: Self.refillBytes)
    }
}

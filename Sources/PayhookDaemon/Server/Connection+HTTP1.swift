import PayhookHTTP1
import PayhookHTTP2

/// The HTTP/1.1 parser a connection feeds, configured from the server's limits.
typealias RequestParser = HTTP1RequestParser

extension HTTP1RequestParser {
    init(options: Server.Options) {
        self.init(
            limits: HTTP1Limits(
                maxRequestLineBytes: options.maxRequestLineBytes, maxHeaderBytes: options.maxHeaderBytes,
                maxHeaderCount: options.maxHeaderCount, maxBodyBytes: options.maxBodyBytes,
                maxChunkExtensionBytes: options.maxChunkExtensionBytes, maxTrailerBytes: options.maxTrailerBytes))
    }
}

extension Connection {
    /// Parses buffered input into requests until it runs out, reading pauses, or the connection
    /// stops taking requests. Handlers may answer (and even close) from inside `dispatch`.
    func processInput() {
        guard !processing else { return }
        processing = true
        defer { processing = false }
        if !protocolChosen && !choseProtocol() { return }
        if let h2 { return h2.receive() }
        var consumedTotal = 0
        defer {
            if consumedTotal > 0, registration != nil {
                // All of it, as usual (one request per read): nothing left to shift, and a buffer
                // grown by a large body is let go, as the output's is.
                if consumedTotal >= input.count {
                    input.removeAll(keepingCapacity: input.capacity <= 65_536)
                } else {
                    input.removeFirst(consumedTotal)
                }
            }
        }
        // After a head or body event the parser may finish the request without new bytes
        // (a bodiless request ends right after its head), so it is asked again.
        var mayHaveMore = false
        while registration != nil, !readPaused, state.reading != .stopped, consumedTotal < input.count || mayHaveMore {
            if consumedTotal < input.count { step { $0.bytesArrived() } }
            var immediate: (route: Int, response: Response)? = nil
            let start = consumedTotal
            let (event, consumed) = input.withUnsafeBytes { all in
                let bytes = UnsafeRawBufferPointer(rebasing: all[start...])
                let result = parser.parse(bytes)
                switch result.event {
                case .head: immediate = immediateAnswer(bytes)
                case .body(let range): current?.request.body += bytes[range]
                default: break
                }
                return (result.event, result.consumed)
            }
            consumedTotal += consumed
            mayHaveMore = false
            switch event {
            case .needMore:
                return
            case .head where immediate != nil:
                let head = parser.head
                let (route, response) = immediate.take()!
                if let idleMs = state.answerAtOnceWhenIdle(keepAlive: head.keepAlive) {
                    sendAtOnce(response, isHead: head.method == .head, idleMs: idleMs)
                } else {
                    perform(state.answerAtOnce(isHead: head.method == .head, keepAlive: head.keepAlive, response))
                }
                admitted()
                if registration != nil { server.stats.answered(role, .http1, route: route, status: response.status) }
                // The parser's `.end` for this request follows and finds no `current`.
                mayHaveMore = true
            case .head:
                let head = parser.head
                // Made here, not where the head was parsed: a `Request?` there, nil for every
                // immediate answer, still cost an outlined destroy per request (the bytes stay
                // in `input` until this call returns).
                let request = input.withUnsafeBytes { makeRequest(UnsafeRawBufferPointer(rebasing: $0[start...])) }
                routeBodyLimit = nil
                if head.hasBody, let error = applyRouteBodyLimit(to: request) {
                    current = nil
                    step { $0.refused(error) }
                    return
                }
                let (id, actions) = state.headReceived(
                    isHead: head.method == .head, hasBody: head.hasBody,
                    expectsContinue: head.expectsContinue, keepAlive: head.keepAlive)
                // Moved, not copied (a copy retained and released each of its strings).
                current = (id, consume request)
                perform(actions)
                mayHaveMore = true
            case .body:
                mayHaveMore = true
            case .end:
                // Nil after an immediate answer: tested, not taken (a take of nil paid the same
                // outlined destroy).
                guard current != nil, let (id, request) = current.take() else { continue }
                step { $0.requestComplete() }
                dispatch(id, request)
            case .error(let error):
                current = nil
                if error.kind == .bodyTooLarge {
                    step { $0.refused(bodyLimitError()) }
                } else {
                    step { $0.parseFailed(status: error.status, reason: "\(error.kind) at byte \(error.offset)") }
                }
                return
            }
        }
    }

    /// Lowers the parser's body limit to the one the request's route declares (a source's
    /// `max_body_bytes`), so that an oversized body is refused from its head or its chunk sizes,
    /// before it is read. Returns the answer when the head already announces too much.
    private func applyRouteBodyLimit(to request: Request) -> APIError? {
        routeBodyLimit = nil
        guard let limit = server.router.bodyLimit(for: request), limit.bytes < parser.maxBodyBytes else { return nil }
        routeBodyLimit = limit
        return parser.limitBody(toBytes: limit.bytes) == nil ? nil : bodyLimitError()
    }

    /// The 413 answer: the route's limit when one applied, else the server's.
    private func bodyLimitError() -> APIError {
        let limit = routeBodyLimit ?? BodyLimit(bytes: parser.limits.maxBodyBytes, setting: "max_body_bytes")
        return .payloadTooLarge(limitBytes: limit.bytes, setting: limit.setting)
    }

    /// The answer of an immediate route (`Router.ImmediateHandler`) to the head just parsed,
    /// when one takes it: a bodiless GET or HEAD whose route is immediate, on a listener with no
    /// admin token to check (the ordinary way checks it, with the whole `Request`). Answers still
    /// leave in request order (`ConnectionState.answerAtOnce` queues this one behind any other).
    private func immediateAnswer(_ bytes: UnsafeRawBufferPointer) -> (route: Int, response: Response)? {
        let head = parser.head
        guard !head.hasBody, head.method == .get || head.method == .head, !head.path.isEmpty,
            role == .ingest || !server.router.guardsAdmin
        else { return nil }
        let path = UnsafeRawBufferPointer(rebasing: bytes[head.path])
        return server.router.withImmediateRoute(path, isHead: head.method == .head, on: role) { route, values in
            (route.index, route.immediate!(values))
        }
    }

    /// The method as routes compare it: a literal for the common ones (no decoding and
    /// validating of the bytes per request), the bytes as sent otherwise.
    private static func methodName(_ head: HTTP1RequestHead, _ bytes: UnsafeRawBufferPointer) -> String {
        switch head.method {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .options: "OPTIONS"
        default: HTTP1.string(head.methodBytes, in: bytes)
        }
    }

    /// Copies what routes need out of the parser's spans (they die with the buffer).
    private func makeRequest(_ bytes: UnsafeRawBufferPointer) -> Request {
        let head = parser.head
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(parser.fields.count)
        for field in parser.fields {
            headers.append((HTTP1.string(field.name, in: bytes), HTTP1.string(field.value, in: bytes)))
        }
        var request = Request(
            method: Self.methodName(head, bytes), target: "", headers: headers,
            listener: role, peer: peer)
        request.path = head.path.isEmpty ? "/" : HTTP1.string(head.path, in: bytes)
        request.query = head.query.map { HTTP1.string($0, in: bytes) } ?? ""
        if case .contentLength(let n) = head.framing { request.body.reserveCapacity(n) }
        return request
    }
}

extension Connection {
    /// Looks at the first bytes: the HTTP/2 preface hands the connection to an `HTTP2Driver`
    /// (h2c with prior knowledge), anything else stays HTTP/1.1. False while the bytes so far
    /// are a prefix of the preface (the first-byte deadline still runs).
    func choseProtocol() -> Bool {
        let preface = H2Session.preface
        let n = min(input.count, preface.count)
        guard input[0..<n].elementsEqual(preface[0..<n]) else {
            protocolChosen = true
            return true
        }
        if n < preface.count { return false }
        protocolChosen = true
        h2 = HTTP2Driver(connection: self)
        return true
    }
}

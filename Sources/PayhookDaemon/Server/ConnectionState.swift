/// Limits of one HTTP/1.1 connection: `[server]` keys of the same names (defaults and ranges in
/// the table of settings, `Settings+Server.swift`).
public struct ConnectionLimits: Sendable, Equatable {
    /// Time to receive a whole request head, from its first byte (408 after). For a new
    /// connection it also bounds the wait for the first byte (closed silently).
    public var headerTimeoutMs: Int64
    /// Time to receive a whole body once the head is in (408 after).
    public var bodyTimeoutMs: Int64
    /// Time a kept-alive connection may sit idle between requests (closed silently).
    public var idleTimeoutMs: Int64
    /// Requests received but not yet answered on one connection; reading pauses at this depth,
    /// so a client cannot queue unbounded work by pipelining.
    public var maxPipelinedRequests: Int

    public init(_ s: Config.Server = Config.Server()) {
        headerTimeoutMs = Int64(s.headerTimeoutMs)
        bodyTimeoutMs = Int64(s.bodyTimeoutMs)
        idleTimeoutMs = Int64(s.idleTimeoutMs)
        maxPipelinedRequests = s.maxPipelinedRequests
    }
}

/// One connection's HTTP/1.1 life as a value: the I/O code reports what happened (bytes arrived,
/// a head or a whole request was parsed, a handler answered, the deadline passed, the peer
/// closed) and performs the returned actions. No sockets, no clock: tested with plain values.
///
/// Answers leave in request order: a request answered early waits behind an earlier one that is
/// still waiting (for the log's fdatasync, say). One deadline at a time: header, body or idle.
public struct ConnectionState {
    public enum Action: Equatable {
        /// Bytes for the socket, in order (the interim 100 Continue).
        case write([UInt8])
        /// An answer for the socket, in order: encode it (with the `Date`) and send it.
        /// `close`: the connection's last answer (`Connection: close`).
        case send(Response, headRequest: Bool, close: Bool)
        /// Set (or, with nil, clear) the connection's single deadline, relative to now.
        case deadline(afterMs: Int64?)
        case pauseReading
        case resumeReading
        /// Close once everything written so far has been sent.
        case close
    }

    enum Reading: Equatable { case idle, head, body, stopped }
    enum Deadline: Equatable { case firstByte, header, body, idle }

    struct Pending {
        let id: UInt64
        var response: Response?
        var isHead: Bool
        var close: Bool
        var wantsContinue: Bool
        var bodyDone: Bool
    }

    let limits: ConnectionLimits
    private(set) var reading: Reading = .idle
    private var deadline: Deadline? = nil
    private var queue: [Pending] = []
    private var nextID: UInt64 = 0
    private var paused = false
    private var draining = false
    private(set) var isClosed = false

    public init(limits: ConnectionLimits) { self.limits = limits }

    /// The connection was accepted: wait `headerTimeoutMs` for a first byte.
    public mutating func start() -> Actions { setDeadline(.firstByte) }

    /// Bytes arrived (before they are parsed).
    public mutating func bytesArrived() -> Actions {
        guard reading == .idle else { return Actions() }
        reading = .head
        return setDeadline(.header)
    }

    /// A request head was parsed; returns the request's id, used to answer it.
    public mutating func headReceived(isHead: Bool, hasBody: Bool, expectsContinue: Bool, keepAlive: Bool) -> (UInt64, Actions) {
        let id = nextID
        nextID += 1
        queue.append(Pending(id: id, response: nil, isHead: isHead, close: !keepAlive, wantsContinue: expectsContinue && hasBody, bodyDone: !hasBody))
        guard hasBody else { return (id, Actions()) }
        reading = .body
        var actions = setDeadline(.body)
        actions += sendContinueIfFront()
        return (id, actions)
    }

    /// The request's body is complete: the handler may run now.
    public mutating func requestComplete() -> Actions {
        guard let last = queue.indices.last else { return Actions() }
        queue[last].bodyDone = true
        queue[last].wantsContinue = false
        var actions = Actions()
        if queue[last].close || draining {
            reading = .stopped
            actions += pause()
            actions += setDeadline(nil)
        } else {
            reading = .idle
            actions += setDeadline(nil)
            if queue.count >= limits.maxPipelinedRequests { actions += pause() }
        }
        return actions
    }

    /// A bodiless request whose answer was ready as soon as its head was parsed: the steps
    /// `headReceived`, `requestComplete` and `answered` in one (it leaves after the answers
    /// still owed, in order).
    public mutating func answerAtOnce(isHead: Bool, keepAlive: Bool, _ response: Response) -> Actions {
        if let idleMs = answerAtOnceWhenIdle(keepAlive: keepAlive) {
            var actions = Actions(.send(response, headRequest: isHead, close: false))
            actions.append(.deadline(afterMs: idleMs))
            return actions
        }
        var (id, actions) = headReceived(isHead: isHead, hasBody: false, expectsContinue: false, keepAlive: keepAlive)
        actions += requestComplete()
        actions += answered(id, response)
        return actions
    }

    /// `answerAtOnce` in its common case, nothing owed and the connection staying: then the
    /// three steps' net effect is taken (the request enters and leaves the queue, the header
    /// deadline gives way to the idle one) and the idle deadline returned; the caller sends the
    /// answer, then sets it (the actions `[.send(answer), .deadline(idle)]`, not built). Nil,
    /// with nothing changed, in every other case.
    public mutating func answerAtOnceWhenIdle(keepAlive: Bool) -> Int64? {
        guard queue.isEmpty && reading == .head && keepAlive && !draining && !paused else { return nil }
        nextID += 1
        reading = .idle
        deadline = .idle
        return limits.idleTimeoutMs
    }

    /// The parser rejected the input: answer `status` after the earlier answers, then close.
    public mutating func parseFailed(status: Int, reason: String) -> Actions {
        fail(.malformedHTTP(status: status, reason: reason))
    }

    /// The connection refuses the request being received (a route's body limit): answer
    /// `error` after the earlier answers, then close.
    public mutating func refused(_ error: APIError) -> Actions { fail(error) }

    /// Answers `error` after the earlier answers, then closes; drops a request half received.
    private mutating func fail(_ error: APIError) -> Actions {
        if let last = queue.last, !last.bodyDone { queue.removeLast() }
        reading = .stopped
        queue.append(Pending(id: nextID, response: error.response, isHead: false, close: true, wantsContinue: false, bodyDone: true))
        nextID += 1
        return pause() + setDeadline(nil) + flush()
    }

    /// A handler answered request `id`.
    public mutating func answered(_ id: UInt64, _ response: Response) -> Actions {
        guard let i = queue.firstIndex(where: { $0.id == id }), queue[i].response == nil else { return Actions() }
        queue[i].response = response
        return flush()
    }

    /// The deadline passed.
    public mutating func deadlinePassed() -> Actions {
        guard let passed = deadline, !isClosed else { return Actions() }
        deadline = nil
        switch passed {
        case .firstByte, .idle:
            return closeNow()
        case .header, .body:
            return fail(.requestTimeout)
        }
    }

    /// The peer closed its sending side: answer what is complete, then close.
    public mutating func peerClosed() -> Actions {
        if let last = queue.last, !last.bodyDone { queue.removeLast() }
        reading = .stopped
        if queue.isEmpty { return closeNow() }
        // End of stream stays readable: stop watching it, or the loop would spin on it while
        // an answer is pending.
        return pause() + setDeadline(nil) + flush()
    }

    /// Shutdown: idle connections close now, busy ones after their answers.
    public mutating func drain() -> Actions {
        draining = true
        switch reading {
        case .idle:
            reading = .stopped
            return queue.isEmpty ? closeNow() : pause() + setDeadline(nil)
        case .stopped:
            return queue.isEmpty ? closeNow() : Actions()
        case .head, .body:
            return Actions()
        }
    }

    /// Requests received and not answered yet.
    public var unansweredCount: Int { queue.filter { $0.response == nil }.count }

    private mutating func flush() -> Actions {
        var actions = Actions()
        // The answered entry is moved out (`removeFirst`), not copied out of the queue first (a
        // retain and release of the answer's body and fields per answer).
        while !queue.isEmpty, queue[0].response != nil {
            let first = queue.removeFirst()
            let last = first.close || (reading == .stopped && queue.isEmpty)
            actions.append(.send(first.response!, headRequest: first.isHead, close: last))
            if last {
                queue.removeAll()
                return actions + closeNow()
            }
        }
        actions += sendContinueIfFront()
        if queue.isEmpty && reading == .idle {
            actions += setDeadline(.idle)
        }
        if paused && reading != .stopped && queue.count < limits.maxPipelinedRequests {
            paused = false
            actions.append(.resumeReading)
        }
        return actions
    }

    private mutating func sendContinueIfFront() -> Actions {
        guard let first = queue.first, first.wantsContinue, first.response == nil else { return Actions() }
        queue[0].wantsContinue = false
        return Actions(.write(ResponseEncoder.continue100))
    }

    private mutating func pause() -> Actions {
        guard !paused else { return Actions() }
        paused = true
        return Actions(.pauseReading)
    }

    private mutating func closeNow() -> Actions {
        guard !isClosed else { return Actions() }
        isClosed = true
        reading = .stopped
        deadline = nil
        return Actions(.close)
    }

    private mutating func setDeadline(_ kind: Deadline?) -> Actions {
        guard kind != deadline else { return Actions() }
        deadline = kind
        switch kind {
        case nil: return Actions(.deadline(afterMs: nil))
        case .firstByte, .header: return Actions(.deadline(afterMs: limits.headerTimeoutMs))
        case .body: return Actions(.deadline(afterMs: limits.bodyTimeoutMs))
        case .idle: return Actions(.deadline(afterMs: limits.idleTimeoutMs))
        }
    }
}

import CLinuxShim
import PayhookHTTP1
import PayhookPosix

/// One accepted socket: reads bytes into the parser, feeds `ConnectionState` and performs the
/// actions it returns (write, deadline, pause, close). All on the loop thread.
final class Connection: EventHandler, ConnectionSink {
    let fd: Int32
    let role: ListenerRole
    let peer: String
    /// The server owns the loop, which owns this connection: it always outlives it (unsafe:
    /// no reference-count traffic on every access in the hot path).
    unowned(unsafe) let server: Server
    private(set) var registration: Registration?
    @exclusivity(unchecked) var state: ConnectionState
    /// The connection's timers hold it strongly (no `weak`: one weak reference gives an object a
    /// side table, and every retain and release of it takes the slow path); `finalClose`
    /// releases them, which ends that cycle.
    private var timer: TimerID?
    /// When the state machine's deadline is due (loop clock), nil when none runs. The heap
    /// entry may be earlier (see `setDeadline`).
    private var deadlineAtMs: Int64?
    /// Armed while answer bytes wait for the client to read them (see `Options.sendTimeoutMs`).
    private var sendTimer: TimerID?
    /// Armed on an admin connection until a request passes the admin guard (see
    /// `Options.adminUnauthenticatedTimeoutMs`); nil otherwise.
    private var probationTimer: TimerID?
    // `@exclusivity(unchecked)`: only the loop thread touches these, and never through
    // overlapping accesses; the dynamic checks cost about 5% of a request.
    /// Received bytes not parsed yet.
    @exclusivity(unchecked) var input: [UInt8] = []
    @exclusivity(unchecked) var output: [UInt8] = []
    private var outputSent = 0
    private var interest: IOEvents = .readable
    var readPaused = false
    private var closeAfterFlush = false
    private var lingering = false
    /// The close that is pending follows an answer: linger so that the answer survives.
    private var lingerBeforeClose = false
    /// True while `processInput` runs: a handler answering at once must not re-enter it.
    var processing = false
    /// Requests handed to routes and not answered yet, oldest first (at most maxPipelinedRequests).
    var responders: [(id: UInt64, responder: Responder)] = []
    /// The request whose body is arriving (between its head and its end).
    var current: (id: UInt64, request: Request)?
    /// The body limit the current request's route declared, if lower than the server's.
    var routeBodyLimit: BodyLimit?
    @exclusivity(unchecked) var parser: RequestParser
    /// The handler fields this connection last wrote, composed (`HTTP1FieldsMemo`).
    private var fieldsMemo = HTTP1FieldsMemo()
    /// Set once the connection opened with the HTTP/2 preface: it serves every request then.
    var h2: HTTP2Driver?
    /// Whether the first bytes were checked for the HTTP/2 preface.
    var protocolChosen = false

    init(fd: Int32, role: ListenerRole, peer: String, server: Server) {
        self.fd = fd
        self.role = role
        self.peer = peer
        self.server = server
        self.state = ConnectionState(limits: server.options.connection)
        self.parser = RequestParser(options: server.options)
    }

    var isOpen: Bool { registration != nil && !lingering }
    var outputPendingBytes: Int { output.count - outputSent }

    func start(registration: Registration) {
        self.registration = registration
        if role == .admin && server.router.guardsAdmin {
            let id = server.loop.makeTimer { self.abort() }
            probationTimer = id
            server.loop.schedule(id, afterMs: server.options.adminUnauthenticatedTimeoutMs)
        }
        step { $0.start() }
    }

    func handle(_ events: IOEvents, loop: EventLoop) {
        // EPOLLHUP on TCP means both directions are shut (reset, or FIN while lingering):
        // nothing can be sent any more.
        if events.contains(.error) || events.contains(.hangup) { return abort() }
        if events.contains(.writable) { flush() }
        guard registration != nil else { return }
        if lingering { return discardInput() }
        if !readPaused && events.contains(.readable) { readInput() }
    }

    private func readInput() {
        let result = server.scratch.withUnsafeMutableBytes { raw in Result { () throws(SyscallError) in try Socket.receive(fd, into: raw) } }
        switch result {
        case .failure: return abort()
        case .success(nil): return
        case .success(0):
            if let h2 { return h2.peerClosed() }
            step { $0.peerClosed() }
        case .success(let n?):
            // Through a buffer pointer: an `ArraySlice` append went through the generic path.
            server.scratch.withUnsafeBufferPointer { input.append(contentsOf: UnsafeBufferPointer(rebasing: $0[0..<n])) }
            processInput()
        }
    }

    /// Shutdown: close when idle, else after the answers in flight.
    func drain() {
        if let h2 { return h2.drain() }
        step { $0.drain() }
    }

    /// A handler's answer for request `id` (maybe much later, maybe out of order).
    func deliver(_ response: Response, for requestID: UInt64) {
        var responder: Responder?
        if let i = responders.firstIndex(where: { $0.id == requestID }) { responder = responders.remove(at: i).responder }
        guard registration != nil else { return }
        if let h2 { h2.deliver(response, for: requestID) } else { step { $0.answered(requestID, response) } }
        // Counted once written (or queued behind the socket): an answer to a gone client is not.
        let proto: ServerStats.WireProtocol = h2 == nil ? .http1 : .h2
        server.stats.answered(role, proto, route: responder?.route ?? -1, status: response.status)
        if let startNs = responder?.startNs, startNs > 0 {
            server.stats.ingestLatency[proto.rawValue].observe(ServerStats.nowNs() - startNs)
        }
    }

    /// Runs a complete request through the router.
    func dispatch(_ id: UInt64, _ request: consuming Request) {
        let responder = Responder(connection: self, requestID: id)
        if role == .ingest { responder.startNs = ServerStats.nowNs() }
        responders.append((id, responder))
        // The first request with the valid token ends the unauthenticated timeout; a refused
        // one leaves it running (a wrong token buys no time).
        if server.router.dispatch(request, responder) { admitted() }
    }

    /// A request passed the admin guard: the unauthenticated timeout ends.
    func admitted() {
        guard let probationTimer else { return }
        self.probationTimer = nil
        server.loop.releaseTimer(probationTimer)
    }

    /// Runs one state machine step, then performs its actions.
    func step(_ body: (inout ConnectionState) -> ConnectionState.Actions) {
        perform(body(&state))
    }

    func perform(_ actions: ConnectionState.Actions) {
        guard registration != nil else { return }
        // By index: an iterator would copy the actions (a retain of each answer they hold).
        for i in 0..<actions.count {
            switch actions[i] {
            case .write(let bytes):
                output += bytes
                lingerBeforeClose = true
            case .send(let response, let headRequest, let close):
                queue(response, headRequest: headRequest, close: close)
            case .deadline(let afterMs):
                setDeadline(afterMs)
            case .pauseReading:
                readPaused = true
            case .resumeReading:
                readPaused = false
                if !processing && !input.isEmpty { processInput() }
            case .close:
                closeAfterFlush = true

            }
        }
        flush()
    }

    /// `perform([.send(response, headRequest: isHead, close: false), .deadline(afterMs:
    /// idleMs)])` without building the actions: an immediate answer on an idle connection
    /// (`ConnectionState.answerAtOnceWhenIdle`), the status query's common case.
    func sendAtOnce(_ response: Response, isHead: Bool, idleMs: Int64) {
        guard registration != nil else { return }
        queue(response, headRequest: isHead, close: false)
        setDeadline(idleMs)
        flush()
    }

    /// Encodes an answer into the output (sent by the next `flush`).
    private func queue(_ response: Response, headRequest: Bool, close: Bool) {
        ResponseEncoder.encode(response, headRequest: headRequest, close: close, date: server.httpDate, memo: &fieldsMemo, into: &output)
        lingerBeforeClose = true
    }

    /// Deadlines move on every request, almost always later. Moving a heap entry later is
    /// deferred: the entry fires at the old time, sees the new deadline and re-arms once. Only
    /// an earlier deadline touches the heap at once. Clearing leaves the entry to fire as a no-op.
    private func setDeadline(_ afterMs: Int64?) {
        guard let afterMs else {
            deadlineAtMs = nil
            return
        }
        let due = server.loop.nowMs + afterMs
        deadlineAtMs = due
        let id = timer ?? server.loop.makeTimer { self.timerFired() }
        timer = id
        if let scheduled = server.loop.deadline(of: id), scheduled <= due { return }
        server.loop.schedule(id, atMs: due)
    }

    private func timerFired() {
        guard let due = deadlineAtMs else { return }
        if due > server.loop.nowMs, let timer { return server.loop.schedule(timer, atMs: due) }
        deadlineAtMs = nil
        if lingering { return finalClose() }
        if let h2 { return h2.deadlinePassed() }
        step { $0.deadlinePassed() }
    }

    /// A client that reads none of our bytes for `sendTimeoutMs` is cut off: otherwise it could
    /// hold a connection and its buffered answers forever (no other deadline runs meanwhile).
    private func armSendTimer() {
        let id = sendTimer ?? server.loop.makeTimer { self.abort() }
        sendTimer = id
        if !server.loop.isScheduled(id) { server.loop.schedule(id, afterMs: server.options.sendTimeoutMs) }
    }

    private func flush() {
        guard registration != nil else { return }
        // An HTTP/2 session hands over its frames as the socket takes them (`refill`).
        while outputSent < output.count || (h2?.refill() ?? false) {
            let result = output.withUnsafeBytes { raw in
                Result { () throws(SyscallError) in try Socket.send(fd, from: UnsafeRawBufferPointer(rebasing: raw[outputSent...])) }
            }
            switch result {
            case .failure: return abort()
            case .success(nil):
                // The client is not reading: stop reading its requests too until it catches up,
                // so answers to a pipelining client that never reads cannot pile up.
                armSendTimer()
                return setInterest(.writable)
            case .success(let n?):
                outputSent += n
                if let sendTimer, server.loop.isScheduled(sendTimer) {
                    server.loop.schedule(sendTimer, afterMs: server.options.sendTimeoutMs)
                }
            }
        }
        if let sendTimer { server.loop.cancel(sendTimer) }
        output.removeAll(keepingCapacity: output.capacity <= 65_536)
        outputSent = 0
        if let h2, !h2.session.isAlive {
            // The session's last frame is a GOAWAY: linger like after an HTTP/1.1 answer, or a
            // client still sending makes our close an RST that can destroy the GOAWAY unread.
            closeAfterFlush = true
            lingerBeforeClose = true
        }
        if closeAfterFlush { return lingerBeforeClose ? linger() : finalClose() }
        lingerBeforeClose = false
        setInterest(readPaused ? [] : .readable)
    }

    /// After the last answer: stop sending, read and drop what the client still sends until it
    /// closes or `lingerMs` pass. Closing with unread input would make the kernel send RST,
    /// which can destroy the answer before the client reads it.
    private func linger() {
        lingering = true
        IO.shutdownWrite(fd)
        setDeadline(server.options.lingerMs)
        setInterest(.readable)
        cancelResponders()
    }

    private func discardInput() {
        let result = server.scratch.withUnsafeMutableBytes { raw in Result { () throws(SyscallError) in try Socket.receive(fd, into: raw) } }
        switch result {
        case .success(nil): return
        case .success(let n?) where n > 0: return
        default: finalClose()
        }
    }

    private func setInterest(_ wanted: IOEvents) {
        guard wanted != interest, let registration else { return }
        interest = wanted
        do { try server.loop.modify(registration, interest: wanted) } catch { abort() }
    }

    /// The socket failed (reset, broken pipe): close without answering.
    private func abort() { finalClose() }

    private func cancelResponders() {
        let pending = responders
        responders = []
        for (_, responder) in pending { responder.cancel() }
    }

    private func finalClose() {
        guard let registration else { return }
        self.registration = nil
        if let timer { server.loop.releaseTimer(timer) }
        if let sendTimer { server.loop.releaseTimer(sendTimer) }
        if let probationTimer { server.loop.releaseTimer(probationTimer) }
        timer = nil
        sendTimer = nil
        probationTimer = nil
        server.loop.deregister(registration)
        IO.close(fd)
        cancelResponders()
        server.closed(self, registration: registration)
    }
}

import CLinuxShim
import PayhookHTTP1
import PayhookPosix

/// Why an attempt failed, as a metric label (`payhook_hook_failed_attempts_total{cause}`).
enum HookFailureCause: String, CaseIterable, Sendable {
    case connect, timeout
    case protocolError = "protocol"
    case status, exit, spawn
}

/// A failed attempt: the cause and a short message for `/v1/hooks` and the journal.
struct HookFailure: Error, Sendable {
    var cause: HookFailureCause
    var message: String
}

/// One outbound HTTP/1.1 connection of an HTTP hook, on the loop: a non-blocking connect, up to
/// `maxPipelined` requests written before their answers (HTTP/1.1 pipelining, RFC 9112 §9.3.2),
/// the strict bounded response parser matching answers to requests in order, and a timer at the
/// oldest request's deadline (`timeout_ms` from its send, connect included).
///
/// Why pipelining: on loopback the cost of a delivery is the loop's syscalls, not the receiver;
/// requests queued while answers are dispatched go out in one `write`, and one `read` takes
/// several answers (measured in `scripts/bench-hooks.sh`).
///
/// After a complete answer that allows it the connection stays open (keep-alive); while idle,
/// any readiness (the receiver closed it, or sent bytes nobody asked for) closes it. When the
/// connection dies, an answer that had not begun says nothing about the request at the head if
/// the socket had answered before (the receiver closed a kept-alive connection, or stopped after
/// its own request limit): that request goes out once more at once on a fresh connection, at no
/// attempt's cost. Requests behind the head got no answer and no judgement either: they are
/// always written again on the fresh connection, with a fresh `timeout_ms`. Each death either fails the head or uses its
/// one free resend, so a receiver that keeps dying cannot loop forever.
final class HookConnection: EventHandler {
    typealias Done = (Result<HTTP1Response, HookFailure>) -> Void

    private struct Pending {
        var request: [UInt8]
        var done: Done
        var deadlineMs: Int64
        /// Already resent once after a death of the connection while at the head.
        var resent = false
    }

    private let loop: EventLoop
    private let address: ListenAddress
    /// Requests written before their answers, at most (1: one request at a time).
    let maxPipelined: Int
    private var fd: Int32 = -1
    /// Sockets opened so far: a dispatch notices that its socket was replaced.
    private var sockets = 0
    /// The last `timeout_ms` given, for the timeout's message.
    private var timeoutMs: Int64 = 0
    private var registration: Registration?
    private var connected = false
    /// What the registration watches now (changed only when it must: an epoll_ctl per change).
    private var interest: IOEvents = .writable
    /// Sent and not answered, oldest first (the order of the answers).
    private var pending: [Pending] = []
    /// Bytes of the pending requests not written yet: `out[written...]`.
    private var out: [UInt8] = []
    private var written = 0
    /// Answers completed on this socket (a death after one may be the receiver closing it).
    private var answered = 0
    /// Bytes of the head's answer arrived: a death now is the head's failure.
    private var headStarted = false
    /// While answers are handed out: requests they cause are written together afterwards.
    private var dispatching = false
    private var parser = HTTP1ResponseParser()
    private var timer: TimerID?
    private var buffer = [UInt8](repeating: 0, count: 65_536)

    init(loop: EventLoop, address: ListenAddress, maxPipelined: Int = 1) {
        precondition(maxPipelined >= 1)
        self.loop = loop
        self.address = address
        self.maxPipelined = maxPipelined
    }

    /// Open and waiting for the next request.
    var isIdle: Bool { fd >= 0 && pending.isEmpty }
    var isOpen: Bool { fd >= 0 }
    var isBusy: Bool { !pending.isEmpty }
    /// Sent and not answered.
    var outstanding: Int { pending.count }
    /// Whether `send` may be called now.
    var hasRoom: Bool { pending.count < maxPipelined }

    /// Sends `request` (behind those pending) and calls `done` once with its answer or failure.
    func send(_ request: [UInt8], timeoutMs: Int64, done: @escaping Done) {
        precondition(hasRoom, "at most maxPipelined requests at once")
        self.timeoutMs = timeoutMs
        pending.append(Pending(request: request, done: done, deadlineMs: loop.nowMs + timeoutMs))
        if timer == nil { timer = loop.makeTimer { [unowned self] in timedOut() } }
        if pending.count == 1 { armTimer() }
        if fd < 0 { return connect() }
        out += request
        // Connected and not inside a dispatch: write now rather than after a round through epoll.
        if connected && !dispatching { writeSome() }
    }

    private func armTimer() {
        guard let timer else { return }
        if let head = pending.first { loop.schedule(timer, atMs: head.deadlineMs) } else { loop.cancel(timer) }
    }

    /// Opens a fresh socket and queues every pending request on it.
    private func connect() {
        sockets += 1
        out = pending.flatMap(\.request)
        written = 0
        answered = 0
        headStarted = false
        parser = HTTP1ResponseParser()
        do {
            let (fd, isConnected) = try Socket.connectNonBlocking(address)
            self.fd = fd
            // Nagle would hold a request written while the one before is unacknowledged until
            // its answer comes (pipelining); requests go out whole, in one write each batch.
            // (A unix socket refuses the option: nothing to hold there.)
            try? Socket.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            connected = isConnected
            registration = try loop.register(fd: fd, interest: .writable, handler: self)
            interest = .writable
        } catch {
            return failAll(.connect, "\(address): \(error)")
        }
    }

    private func watch(_ wanted: IOEvents) {
        guard wanted != interest, let registration else { return }
        try? loop.modify(registration, interest: wanted)
        interest = wanted
    }

    func handle(_ events: IOEvents, loop: EventLoop) {
        guard !pending.isEmpty else { return close() }  // idle: the receiver closed or misbehaved
        if !connected {
            if let error = Socket.connectError(fd) { return failAll(.connect, "\(address): \(error)") }
            connected = true
        }
        if written < out.count && events.contains(.writable) {
            writeSome()
            if fd < 0 { return }
        }
        if events != .writable { readSome() }
    }

    private func writeSome() {
        do {
            let n = try out.withUnsafeBytes { try IO.write(fd, from: UnsafeRawBufferPointer(rebasing: $0[written...])) }
            written += n ?? 0
        } catch {
            return died(.connect, "send: \(error)")
        }
        if written == out.count {
            out.removeAll(keepingCapacity: true)
            written = 0
            // Readable stays on while idle: the receiver closing the connection then closes it here.
            watch(.readable)
        } else {
            // Answers are read meanwhile: a receiver blocked writing them would never read on.
            watch([.readable, .writable])
        }
    }

    private func readSome() {
        let n: Int?
        do {
            n = try buffer.withUnsafeMutableBytes { try IO.read(fd, into: $0) }
        } catch {
            return died(.protocolError, "receive: \(error)")
        }
        guard let n else { return }
        if n == 0 {
            switch parser.finish() {
            case .complete(var response):
                response.keepAlive = false
                return answer(response)
            case .error(let error): return died(.protocolError, "\(error)")
            case .needMore: return died(.protocolError, "closed")
            }
        }
        headStarted = true
        dispatching = true
        let socket = sockets
        var at = 0
        // Stops when the socket changed: the rest of the buffer came from the old one.
        while at < n, sockets == socket, fd >= 0, !pending.isEmpty {
            let result = buffer.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[at..<n])) }
            at += result.consumed
            switch result.event {
            case .needMore: at = n
            case .error(let error): died(.protocolError, "\(error)")
            case .complete(var response):
                // Bytes past the last answer asked for: the connection is not reusable.
                if pending.count == 1 && at < n { response.keepAlive = false }
                headStarted = at < n
                answer(response)
            }
        }
        dispatching = false
        if fd < 0 && !pending.isEmpty {
            connect()
        } else if fd >= 0 && written < out.count {
            writeSome()
        }
    }

    /// The head's answer: hands it out; a connection that may not stay open is reopened for the rest.
    private func answer(_ response: HTTP1Response) {
        let head = pending.removeFirst()
        answered += 1
        if !response.keepAlive { renewDeadlines(from: 0) }
        armTimer()
        if !response.keepAlive { reopen() }
        head.done(.success(response))
    }

    /// Closes the socket and, if requests are pending, writes them all again on a fresh one
    /// (after the dispatch, when inside one).
    private func reopen() {
        close()
        if !pending.isEmpty && !dispatching { connect() }
    }

    /// The connection broke: the head fails unless it gets its one free resend (see the type's
    /// comment); the others go out again on a fresh connection.
    private func died(_ cause: HookFailureCause, _ message: String) {
        let wasDispatching = dispatching
        close()
        guard !pending.isEmpty else { return }
        let keepsHead = answered > 0 && !headStarted && !pending[0].resent && cause != .timeout
        var failed: Pending?
        if keepsHead { pending[0].resent = true } else { failed = pending.removeFirst() }
        renewDeadlines(from: keepsHead ? 1 : 0)
        armTimer()
        failed?.done(.failure(HookFailure(cause: cause, message: message)))
        if fd < 0 && !pending.isEmpty && !wasDispatching { connect() }  // else after the dispatch
    }

    /// Requests that waited behind another's answer were not judged: their time starts again
    /// when they are written again (else one hanging request would time out all behind it).
    private func renewDeadlines(from start: Int) {
        guard start < pending.count else { return }
        for i in start..<pending.count { pending[i].deadlineMs = loop.nowMs + timeoutMs }
    }

    private func timedOut() {
        guard !pending.isEmpty else { return }
        died(.timeout, "no answer within \(timeoutMs) ms")
    }

    /// The connect failed: the target is unreachable, which is every pending request's failure.
    private func failAll(_ cause: HookFailureCause, _ message: String) {
        close()
        let failed = pending
        pending = []
        armTimer()
        for p in failed { p.done(.failure(HookFailure(cause: cause, message: message))) }
    }

    /// Closes the socket (not the object: a later `send` reconnects).
    func close() {
        if let registration { loop.deregister(registration) }
        registration = nil
        if fd >= 0 { IO.close(fd) }
        fd = -1
        connected = false
    }

    /// Closes for good and frees the timer; pending requests are dropped unanswered.
    func release() {
        if let timer { loop.releaseTimer(timer) }
        timer = nil
        close()
        pending = []
    }
}

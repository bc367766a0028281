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

/// One outbound HTTP/1.1 connection of an HTTP hook, on the loop: a non-blocking connect, one
/// request at a time, the strict bounded response parser, and a timer covering connect and
/// answer together (`timeout_ms`). After a complete answer that allows it, the connection stays
/// open and idle for the next attempt (keep-alive); while idle, any readiness (the receiver
/// closed it, or sent bytes nobody asked for) closes it. A request sent on a kept-alive
/// connection that fails before any byte of an answer arrived goes out once more at once on a
/// fresh connection: the receiver may have closed the idle connection just before the loop could
/// see it, which says nothing about the receiver (and costs no attempt and no backoff).
final class HookConnection: EventHandler {
    typealias Done = (Result<HTTP1Response, HookFailure>) -> Void

    private let loop: EventLoop
    private let address: ListenAddress
    private var fd: Int32 = -1
    private var registration: Registration?
    private var connected = false
    /// What the registration watches now (changed only when it must: an epoll_ctl per change).
    private var interest: IOEvents = .writable
    private var request: [UInt8] = []
    private var out: [UInt8] = []
    /// Sent on a kept-alive connection and nothing received yet: a failure retries on a fresh one.
    private var mayRetryFresh = false
    private var written = 0
    private var parser = HTTP1ResponseParser()
    private var done: Done?
    private var timer: TimerID?
    private var buffer = [UInt8](repeating: 0, count: 16_384)

    init(loop: EventLoop, address: ListenAddress) {
        self.loop = loop
        self.address = address
    }

    /// Open and waiting for the next request.
    var isIdle: Bool { fd >= 0 && done == nil }
    var isBusy: Bool { done != nil }

    /// Sends `request` and calls `done` once with the final answer or the failure.
    func send(_ request: [UInt8], timeoutMs: Int64, done: @escaping Done) {
        precondition(self.done == nil, "one request at a time")
        self.done = done
        self.request = request
        mayRetryFresh = fd >= 0
        let timer = self.timer ?? loop.makeTimer { [unowned self] in fail(.timeout, "no answer within \(timeoutMs) ms") }
        self.timer = timer
        // One deadline for the attempt, a retry on a fresh connection included.
        loop.schedule(timer, afterMs: timeoutMs)
        start()
    }

    private func start() {
        out = request
        written = 0
        parser = HTTP1ResponseParser()
        if fd < 0 {
            do {
                let (fd, isConnected) = try Socket.connectNonBlocking(address)
                self.fd = fd
                connected = isConnected
                registration = try loop.register(fd: fd, interest: .writable, handler: self)
                interest = .writable
            } catch {
                return fail(.connect, "\(address): \(error)")
            }
        } else {
            // Kept alive and connected: write now rather than after a round through epoll (a
            // backlog drain sends one request per answer on each connection).
            writeSome()
        }
    }

    private func watch(_ wanted: IOEvents) {
        guard wanted != interest, let registration else { return }
        try? loop.modify(registration, interest: wanted)
        interest = wanted
    }

    func handle(_ events: IOEvents, loop: EventLoop) {
        guard done != nil else { return close() }  // idle: the receiver closed or misbehaved
        if !connected {
            if let error = Socket.connectError(fd) { return fail(.connect, "\(address): \(error)") }
            connected = true
        }
        if written < out.count { writeSome() } else { readSome() }
    }

    private func writeSome() {
        do {
            let n = try out.withUnsafeBytes { try IO.write(fd, from: UnsafeRawBufferPointer(rebasing: $0[written...])) }
            written += n ?? 0
        } catch {
            return fail(.connect, "send: \(error)")
        }
        if written == out.count {
            out = []
            // Readable stays on while idle: the receiver closing the connection then closes it here.
            watch(.readable)
        } else {
            watch(.writable)
        }
    }

    private func readSome() {
        let n: Int?
        do {
            n = try buffer.withUnsafeMutableBytes { try IO.read(fd, into: $0) }
        } catch {
            return fail(.protocolError, "receive: \(error)")
        }
        guard let n else { return }
        if n > 0 { mayRetryFresh = false }
        if n == 0 {
            switch parser.finish() {
            case .complete(var response):
                response.keepAlive = false
                return finish(response)
            case .error(let error): return fail(.protocolError, "\(error)")
            case .needMore: return fail(.protocolError, "closed")
            }
        }
        let result = buffer.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
        switch result.event {
        case .needMore: return
        case .error(let error): fail(.protocolError, "\(error)")
        case .complete(var response):
            // Bytes past the answer were never asked for: the connection is not reusable.
            if result.consumed < n { response.keepAlive = false }
            finish(response)
        }
    }

    private func finish(_ response: HTTP1Response) {
        if let timer { loop.cancel(timer) }
        if !response.keepAlive { close() }
        let done = self.done
        self.done = nil
        done?(.success(response))
    }

    private func fail(_ cause: HookFailureCause, _ message: String) {
        close()
        if mayRetryFresh && cause != .timeout {
            mayRetryFresh = false
            return start()
        }
        if let timer { loop.cancel(timer) }
        let done = self.done
        self.done = nil
        done?(.failure(HookFailure(cause: cause, message: message)))
    }

    /// Closes the socket (not the object: a later `send` reconnects).
    func close() {
        if let registration { loop.deregister(registration) }
        registration = nil
        if fd >= 0 { IO.close(fd) }
        fd = -1
        connected = false
    }

    /// Closes for good and frees the timer.
    func release() {
        if let timer { loop.releaseTimer(timer) }
        timer = nil
        close()
        done = nil
    }
}

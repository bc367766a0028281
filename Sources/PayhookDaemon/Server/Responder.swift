/// Answers one request, now or later, exactly once, on the loop thread.
///
/// A route that can answer at once calls `respond` before returning. A route that must wait
/// (ingest waiting for the log's fdatasync, a long poll) keeps the responder and calls `respond`
/// later from the loop thread (from a `LoopNotifier` action or a loop timer). Answers of
/// pipelined requests still leave in request order. If the client went away first, `respond` is
/// a no-op and `isCancelled` is true; `onCancel` lets a long poll drop its waiter early.
///
/// The connection is held strongly until the request is answered or cancelled, then let go:
/// the connection holds its unanswered responders too, and each of them ends that cycle (the
/// connection cancels those left when it closes). Not `weak`: one weak reference gave the
/// connection a side table, and every retain and release of it took the slow path.
public final class Responder {
    private var connection: ConnectionSink?
    private var cancelled = false
    private let requestID: UInt64
    public private(set) var isAnswered = false
    /// Called once if the connection closes before `respond` (client gone, shutdown deadline).
    public var onCancel: (() -> Void)?
    /// The matched route's index in `Router.patterns` (-1: none), for the request counts.
    var route = -1
    /// When the request's last byte arrived (monotonic ns), on the ingest listener only; 0 when
    /// not measured (status queries skip the clock read).
    var startNs = 0

    init(connection: ConnectionSink?, requestID: UInt64) {
        self.connection = connection
        self.requestID = requestID
    }

    /// True when the answer can no longer reach the client.
    public var isCancelled: Bool { cancelled || (!isAnswered && connection?.isOpen != true) }

    /// Sends `response` (in order with the connection's other answers). Later calls are ignored.
    public func respond(_ response: Response) {
        guard !isAnswered else { return }
        isAnswered = true
        onCancel = nil
        let sink = connection
        connection = nil
        sink?.deliver(response, for: requestID)
    }

    /// Answers with the JSON form of `error`.
    public func fail(_ error: APIError) { respond(error.response) }

    func cancel() {
        guard !isAnswered else { return }
        isAnswered = true
        cancelled = true
        connection = nil
        let action = onCancel
        onCancel = nil
        action?()
    }
}

/// What a `Responder` talks to: the connection that owns the request.
protocol ConnectionSink: AnyObject {
    var isOpen: Bool { get }
    func deliver(_ response: Response, for requestID: UInt64)
}

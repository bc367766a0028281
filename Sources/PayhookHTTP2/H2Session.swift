import CNGHTTP2

/// One server-side HTTP/2 connection's framing, on libnghttp2 used as a framer only: bytes in
/// through `receive` (`nghttp2_session_mem_recv`), bytes out through `send`
/// (`nghttp2_session_mem_send`). No sockets, no clock of its own: the caller owns I/O, timers
/// and backpressure, and acts on the returned `H2Event`s. One thread.
public final class H2Session {
    /// The client connection preface (RFC 9113 section 3.4).
    public static let preface: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    public let limits: H2Limits
    // `@exclusivity(unchecked)` on what the callbacks touch: one thread, and no overlapping
    // accesses; the dynamic checks were a few percent of an h2c status query.
    var session: OpaquePointer?
    @exclusivity(unchecked) var streams: [Int32: H2Stream] = [:]
    /// The stream `stream(_:)` found last (see there).
    @exclusivity(unchecked) var lastStreamID: Int32 = 0
    @exclusivity(unchecked) var lastStream: H2Stream?
    /// Streams whose header block is not complete yet (HEADERS awaiting CONTINUATION).
    var incompleteHeads = 0
    @exclusivity(unchecked) var events: [H2Event] = []
    /// The array `receive` returned last, kept for its capacity: the next call swaps it in as
    /// `events` instead of allocating one per read.
    @exclusivity(unchecked) var eventsSpare: [H2Event] = []
    /// Scratch for `respond`: the field bytes and the `nghttp2_nv` entries pointing into them,
    /// reused for every answer (libnghttp2 copies both when the answer is submitted).
    @exclusivity(unchecked) var fieldBytes: [UInt8] = []
    @exclusivity(unchecked) var fieldSpans: [(name: Range<Int>, value: Range<Int>)] = []
    @exclusivity(unchecked) var nameValues: [nghttp2_nv] = []
    /// Body bytes held for streams whose request is not complete or not taken yet.
    public private(set) var bufferedBodyBytes = 0
    var controlFrames = 0
    var controlWindowStartMs: Int64 = 0
    var nowMs: Int64 = 0
    var flooded = false
    /// RST_STREAM frames since the last `takeStreamCounts` (for /metrics): sent with
    /// REFUSED_STREAM, sent with another code, received.
    var refusedSent = 0
    var resetSent = 0
    var resetReceived = 0

    public init(limits: H2Limits) {
        self.limits = limits
        var callbacks: OpaquePointer?
        nghttp2_session_callbacks_new(&callbacks)
        defer { nghttp2_session_callbacks_del(callbacks) }
        H2Callbacks.install(callbacks)
        var option: OpaquePointer?
        nghttp2_option_new(&option)
        defer { nghttp2_option_del(option) }
        // The connection window is given back as bodies leave (see `consumed`), not on arrival.
        nghttp2_option_set_no_auto_window_update(option, 1)
        nghttp2_option_set_max_continuations(option, limits.maxContinuations)
        let resets = UInt64(limits.maxResetsPerSecond)
        nghttp2_option_set_stream_reset_rate_limit(option, resets, resets)
        nghttp2_option_set_no_closed_streams(option, 1)
        let me = Unmanaged.passUnretained(self).toOpaque()
        nghttp2_session_server_new2(&session, callbacks, me, option)
        var settings = [
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue), value: UInt32(limits.maxConcurrentStreams)),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue), value: UInt32(limits.streamWindowBytes)),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue), value: UInt32(limits.maxHeaderListBytes)),
        ]
        nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &settings, settings.count)
        nghttp2_session_set_local_window_size(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, Int32(limits.connectionWindowBytes))
    }

    deinit { nghttp2_session_del(session) }

    /// Feeds received bytes; returns what happened, in order. A failure has already queued
    /// GOAWAY: send what `send` yields, then close.
    public func receive(_ bytes: UnsafeRawBufferPointer, nowMs: Int64) -> Result<[H2Event], H2Failure> {
        self.nowMs = nowMs
        // `events` may already hold `.closed` events from the last `send` (our answers' ends).
        let n = nghttp2_session_mem_recv(session, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
        swap(&events, &eventsSpare)
        let happened = eventsSpare
        events.removeAll(keepingCapacity: true)
        // libnghttp2's own flood check (acks we could not send yet) counts as a flood too.
        if flooded || n == Int(NGHTTP2_ERR_FLOODED.rawValue) {
            nghttp2_session_terminate_session(session, UInt32(NGHTTP2_ENHANCE_YOUR_CALM.rawValue))
            return .failure(.controlFlood)
        }
        if n < 0 {
            // libnghttp2 queued its own GOAWAY for protocol errors; this covers the rest.
            nghttp2_session_terminate_session(session, UInt32(NGHTTP2_PROTOCOL_ERROR.rawValue))
            return .failure(.protocolError(Int32(n)))
        }
        return .success(happened)
    }

    /// Appends frames waiting to be sent to `out`, up to about `maxBytes`. Returns whether it
    /// appended anything.
    @discardableResult
    public func send(into out: inout [UInt8], maxBytes: Int) -> Bool {
        var appended = false
        var budget = maxBytes
        while budget > 0 {
            var data: UnsafePointer<UInt8>?
            let n = nghttp2_session_mem_send(session, &data)
            guard n > 0, let data else { break }
            out.append(contentsOf: UnsafeBufferPointer(start: data, count: n))
            budget -= n
            appended = true
        }
        return appended
    }

    /// False once the session is over (GOAWAY exchanged, nothing left to send).
    /// The RST_STREAM counts since the last call, then zero.
    public func takeStreamCounts() -> (refused: Int, resetSent: Int, resetReceived: Int) {
        defer { (refusedSent, resetSent, resetReceived) = (0, 0, 0) }
        return (refusedSent, resetSent, resetReceived)
    }

    public var isAlive: Bool { nghttp2_session_want_read(session) != 0 || nghttp2_session_want_write(session) != 0 }
    public var wantsWrite: Bool { nghttp2_session_want_write(session) != 0 }

    /// Streams the client opened that are not closed yet.
    public var openStreamCount: Int { streams.count }

    /// When the oldest head still incomplete began (a HEADERS frame awaiting CONTINUATION).
    public var oldestIncompleteHeadMs: Int64? {
        guard incompleteHeads > 0 else { return nil }
        var oldest: Int64? = nil
        for s in streams.values where !s.headComplete { oldest = min(oldest ?? .max, s.startedAtMs) }
        return oldest
    }

    /// The request head of `stream`, moved out (the session keeps no copy).
    public func takeHead(of stream: Int32) -> H2RequestHead? {
        guard let st = self.stream(stream) else { return nil }
        var head = H2RequestHead()
        swap(&head, &st.head)
        return head
    }

    /// Whether the request on `stream` has no body: its HEADERS frame carried END_STREAM.
    /// (Not merely "ended by now": DATA read in the same `receive` may have ended it, and that
    /// body is still to be taken, or was refused.)
    public func hasNoBody(_ stream: Int32) -> Bool { self.stream(stream)?.endedWithHead ?? false }

    /// The complete body; the stream's buffer is released (and the connection window reopened).
    public func takeBody(of stream: Int32) -> [UInt8] {
        guard let st = self.stream(stream) else { return [] }
        var body: [UInt8] = []
        swap(&body, &st.body)
        released(body.count)
        return body
    }

    /// Stops buffering this stream's body (it was refused or answered before it ended).
    public func discardBody(of stream: Int32) {
        guard let st = self.stream(stream) else { return }
        let count = st.body.count
        st.body = []
        st.discarding = true
        released(count)
    }

    /// Resets `stream` with `errorCode` (RST_STREAM).
    public func reset(_ stream: Int32, errorCode: UInt32) {
        nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), stream, errorCode)
    }

    /// Graceful shutdown: GOAWAY naming the last stream taken; those still finish.
    public func shutdown() {
        nghttp2_submit_goaway(
            session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nghttp2_session_get_last_proc_stream_id(session),
            UInt32(NGHTTP2_NO_ERROR.rawValue), nil, 0)
    }

    /// Ends the connection with GOAWAY(`errorCode`); nothing more is read.
    public func terminate(errorCode: UInt32) {
        nghttp2_session_terminate_session(session, errorCode)
    }

    func buffered(_ count: Int) { bufferedBodyBytes += count }

    /// Gives back connection window for body bytes that left our buffers. Only here: had it been
    /// given back on arrival, a client could keep a window's worth in flight on top of a window's
    /// worth buffered (twice `connectionWindowBytes` held).
    func released(_ count: Int) {
        guard count > 0 else { return }
        bufferedBodyBytes -= count
        nghttp2_session_consume_connection(session, count)
    }
}

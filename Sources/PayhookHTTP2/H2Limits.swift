/// Limits of one HTTP/2 connection (all configurable, see `[server] h2_*`).
public struct H2Limits: Sendable, Equatable {
    /// Streams the client may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS). One more
    /// before the client acknowledged our SETTINGS is refused with RST_STREAM(REFUSED_STREAM);
    /// after, it breaks a limit the client knows, and libnghttp2 ends the connection with
    /// GOAWAY(PROTOCOL_ERROR). Default 100.
    public var maxConcurrentStreams = 100
    /// Decoded header list bytes of one request (names + values + 32 each, RFC 9113 6.5.2);
    /// above it the stream is answered 431. Default 16 KiB.
    public var maxHeaderListBytes = 16_384
    /// Request body bytes a connection holds at most: the connection window, given back only as
    /// bodies leave (handed to routes or dropped), so a client past it breaks flow control
    /// (GOAWAY(FLOW_CONTROL_ERROR)). Default 1 MiB.
    public var connectionWindowBytes = 1_048_576
    /// SETTINGS_INITIAL_WINDOW_SIZE: body bytes a stream may send ahead. Default 256 KiB.
    public var streamWindowBytes = 262_144
    /// RST_STREAM frames a client may send per second (token bucket, burst of the same size)
    /// before the connection is closed with GOAWAY (rapid reset, CVE-2023-44487). Default 100.
    public var maxResetsPerSecond = 100
    /// SETTINGS, PING, WINDOW_UPDATE and PRIORITY frames a client may send per second before
    /// the connection is closed with GOAWAY(ENHANCE_YOUR_CALM). Default 1000.
    public var maxControlFramesPerSecond = 1000
    /// Request body bytes at most per stream (the server's `max_body_bytes`). Default 1 MiB.
    public var maxBodyBytes = 1_048_576
    /// CONTINUATION frames after one HEADERS frame; more close the connection. Fixed at 8:
    /// with 16 KiB frames it is far above any header list we accept.
    public var maxContinuations = 8
    public init() {}
}

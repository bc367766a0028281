/// What the framer saw in the bytes it was given, in order. The connection acts on them after
/// `H2Session.receive` returns (never from inside libnghttp2's callbacks).
public enum H2Event: Sendable, Equatable {
    /// A request head is complete: `H2Session.head(of:)` has it.
    case head(stream: Int32)
    /// The head was over `maxHeaderListBytes`: answer 431 (the fields were dropped).
    case headersTooLarge(stream: Int32)
    /// The body passed `maxBodyBytes`: answer 413; the rest of the body is discarded.
    case bodyTooLarge(stream: Int32)
    /// The client ended the stream (END_STREAM): the body is complete.
    case end(stream: Int32)
    /// The stream is gone (answered, reset by either side, or the connection ends).
    case closed(stream: Int32, errorCode: UInt32)
}

/// A request head as the client sent it.
public struct H2RequestHead: Sendable {
    public var method = ""
    public var path = ""
    public var authority = ""
    /// Regular fields in arrival order (lowercase names, as HTTP/2 requires).
    public var fields: [(name: String, value: String)] = []
    public var contentLength: Int?
}

/// Why the session ended itself (after queueing GOAWAY).
public enum H2Failure: Error, Equatable {
    /// The client broke the protocol (libnghttp2's verdict, with its error code).
    case protocolError(Int32)
    /// Too many control frames per second.
    case controlFlood
}

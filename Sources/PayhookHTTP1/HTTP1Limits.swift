/// Every bound the HTTP/1.1 request parser enforces, in one place. Units are last in the names;
/// the defaults match the table of settings (`Config.Server`; `ConfigDefaultsTests` checks).
public struct HTTP1Limits: Sendable, Equatable {
    /// Request line length in bytes, without its CRLF (414 above). Default 8192.
    public var maxRequestLineBytes: Int
    /// Method length in bytes (400 above: no method we serve is longer). Default 32.
    public var maxMethodBytes: Int
    /// Header section size in bytes: every field line with its CRLF, not counting the request
    /// line nor the final empty line (431 above). Default 16384.
    public var maxHeaderBytes: Int
    /// Header field lines per request (431 above). Default 64.
    public var maxHeaderCount: Int
    /// Request body size in bytes: the Content-Length, or the sum of the chunk sizes of a
    /// chunked body (413 above). Default 1 MiB (1048576).
    public var maxBodyBytes: Int
    /// Chunk extension bytes on one chunk-size line, from the first `;` to the CR (400 above).
    /// Default 256.
    public var maxChunkExtensionBytes: Int
    /// Trailer section size in bytes: every trailer field line with its CRLF, not counting the
    /// final empty line (431 above). Default 4096.
    public var maxTrailerBytes: Int

    public init(
        maxRequestLineBytes: Int = 8192, maxMethodBytes: Int = 32, maxHeaderBytes: Int = 16_384,
        maxHeaderCount: Int = 64, maxBodyBytes: Int = 1_048_576, maxChunkExtensionBytes: Int = 256,
        maxTrailerBytes: Int = 4096
    ) {
        precondition(maxMethodBytes > 0 && maxRequestLineBytes > maxMethodBytes, "limits out of range")
        precondition(maxHeaderBytes >= 0 && maxHeaderCount >= 0 && maxBodyBytes >= 0, "limits out of range")
        precondition(maxChunkExtensionBytes >= 0 && maxTrailerBytes >= 0, "limits out of range")
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxMethodBytes = maxMethodBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxChunkExtensionBytes = maxChunkExtensionBytes
        self.maxTrailerBytes = maxTrailerBytes
    }
}

/// Deviations from strict RFC 9112 parsing. Each is named, documented and off by default.
public struct HTTP1Leniencies: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Ignore one empty line (CRLF) before a request line. RFC 9112 §2.2 says a server SHOULD
    /// ignore at least one; payhookd rejects it by default (400) because its clients (nginx,
    /// provider webhooks) never send one and a stray CRLF usually means a framing mismatch.
    public static let leadingEmptyLine = HTTP1Leniencies(rawValue: 1 << 0)
    /// Accept any optional whitespace (OWS) around the values of Content-Length and
    /// Transfer-Encoding. By default those framing fields allow at most one SP before the value
    /// and none after it: padding framing values is a request-smuggling vector.
    public static let framingFieldWhitespace = HTTP1Leniencies(rawValue: 1 << 1)
    /// Accept a body (Content-Length > 0 or chunked) on GET, HEAD, DELETE, OPTIONS and TRACE.
    /// By default such a request is rejected (400): payhookd gives those bodies no meaning and
    /// they are a classic desynchronization vector (RFC 9110 §9.3.1).
    public static let bodyOnBodilessMethod = HTTP1Leniencies(rawValue: 1 << 2)
}

/// Every bound the HTTP/1.1 response parser enforces (an answer from a hook's receiver). Units
/// last; defaults in the doc comments, for the `[[hooks]]` keys of the same names (wired later).
public struct HTTP1ResponseLimits: Sendable, Equatable {
    /// Status line length in bytes, without its CRLF. Default 1024, range 16 ... 65,536.
    public var maxStatusLineBytes: Int
    /// Header section size: every field line with its CRLF. Default 16,384, range 0 ... 1 MiB.
    public var maxHeaderBytes: Int
    /// Field lines per response head. Default 64, range 0 ... 1024.
    public var maxHeaderCount: Int
    /// Body bytes kept for the error message of a failed attempt; the rest is read and dropped
    /// (the caller's timer bounds how long). Default 1024, range 0 ... 65,536.
    public var maxKeptBodyBytes: Int
    /// Interim (1xx) responses skipped before the final one. Default 8, range 0 ... 64.
    public var maxInterimResponses: Int
    /// Chunk extension bytes on one chunk-size line. Default 256, range 0 ... 4096.
    public var maxChunkExtensionBytes: Int
    /// Trailer section size (field lines with their CRLF). Default 4096, range 0 ... 65,536.
    public var maxTrailerBytes: Int

    public init(
        maxStatusLineBytes: Int = 1024, maxHeaderBytes: Int = 16_384, maxHeaderCount: Int = 64,
        maxKeptBodyBytes: Int = 1024, maxInterimResponses: Int = 8, maxChunkExtensionBytes: Int = 256,
        maxTrailerBytes: Int = 4096
    ) {
        precondition(maxStatusLineBytes >= 16 && maxHeaderBytes >= 0 && maxHeaderCount >= 0, "limits out of range")
        precondition(maxKeptBodyBytes >= 0 && maxInterimResponses >= 0, "limits out of range")
        precondition(maxChunkExtensionBytes >= 0 && maxTrailerBytes >= 0, "limits out of range")
        self.maxStatusLineBytes = maxStatusLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxKeptBodyBytes = maxKeptBodyBytes
        self.maxInterimResponses = maxInterimResponses
        self.maxChunkExtensionBytes = maxChunkExtensionBytes
        self.maxTrailerBytes = maxTrailerBytes
    }
}

/// A final response, as much of it as delivery needs.
public struct HTTP1Response: Sendable, Equatable {
    public var status = 0
    /// 0 or 1 (HTTP/1.0 or HTTP/1.1).
    public var minorVersion = 1
    /// Whether the connection may carry the next request.
    public var keepAlive = true
    /// `Retry-After`, when present and valid (an invalid one is ignored: it is a hint).
    public var retryAfter: HTTP1RetryAfter? = nil
    /// Body bytes received in all (chunk framing removed).
    public var bodyBytes: UInt64 = 0
    /// The first `maxKeptBodyBytes` of the body.
    public var body: [UInt8] = []

    public init() {}
}

/// Why an answer is not a well-formed HTTP/1.1 response: a kind, the offset of the offending
/// byte from the first byte of the answer (interim responses included), the field concerned.
public struct HTTP1ResponseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable, CaseIterable {
        case invalidStatusLine, unsupportedVersion, invalidStatusCode, statusLineTooLong
        case switchingProtocols, tooManyInterimResponses
        case bareCR, bareLF, obsFold, whitespaceBeforeColon, missingColon, invalidFieldName, invalidFieldValue
        case headerTooLarge, tooManyHeaders
        case invalidContentLength, duplicateContentLength, unsupportedTransferCoding
        case contentLengthWithTransferEncoding
        case invalidChunkSize, chunkSizeOverflow, invalidChunkExtension, chunkExtensionTooLong
        case missingChunkDataCRLF, trailersTooLarge
        /// The peer closed in the middle of a response.
        case truncated
        /// The peer closed before the first byte (a kept-alive connection it had dropped).
        case closedBeforeResponse
    }

    public var kind: Kind
    public var offset: Int
    public var field: String?

    public init(_ kind: Kind, offset: Int, field: String? = nil) {
        self.kind = kind
        self.offset = offset
        self.field = field
    }

    public var description: String { "\(kind) at byte \(offset)" + (field.map { " (\($0))" } ?? "") }
}

/// What one call to ``HTTP1ResponseParser/parse(_:)`` found.
public enum HTTP1ResponseEvent: Sendable, Equatable {
    /// Every byte given was used; call again with more.
    case needMore
    /// The final response is complete; bytes after `consumed` are not part of it.
    case complete(HTTP1Response)
    /// The answer is malformed or over a limit: close the connection. Repeated calls repeat it.
    case error(HTTP1ResponseError)
}

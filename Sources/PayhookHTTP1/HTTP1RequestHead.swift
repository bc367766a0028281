/// The protocol version of a request; only HTTP/1.0 and HTTP/1.1 are parsed (others: 505).
public enum HTTP1Version: Sendable, Equatable {
    case http10, http11
}

/// The method, recognized for the ones whose semantics the parser or server care about.
public enum HTTP1Method: Sendable, Equatable {
    case get, head, post, put, delete, options, trace, connect, patch
    /// Any other token; the raw bytes are in ``HTTP1RequestHead/methodBytes``.
    case other

    /// Methods whose request content has no defined meaning (RFC 9110 §9.3): a body on them is
    /// refused unless ``HTTP1Leniencies/bodyOnBodilessMethod`` is set.
    var isBodiless: Bool {
        switch self {
        case .get, .head, .delete, .options, .trace, .connect: true
        case .post, .put, .patch, .other: false
        }
    }
}

/// The form of the request-target (RFC 9112 §3.2). Authority-form (CONNECT) is refused.
public enum HTTP1TargetForm: Sendable, Equatable {
    /// `/path?query`
    case origin
    /// `http://host/path?query`: ``HTTP1RequestHead/path`` is the path part.
    case absolute
    /// `*`, accepted only with OPTIONS.
    case asterisk
}

/// How the body of a request is delimited (RFC 9112 §6.3).
public enum HTTP1BodyFraming: Sendable, Equatable {
    /// No body.
    case none
    /// Exactly this many bytes (at most ``HTTP1Limits/maxBodyBytes``).
    case contentLength(Int)
    /// `Transfer-Encoding: chunked`; the total is bounded by ``HTTP1Limits/maxBodyBytes``.
    case chunked
}

/// One header field: offsets of its name and of its value (without surrounding whitespace)
/// in the buffer that was passed to the call that returned ``HTTP1Event/head``.
public struct HTTP1Field: Sendable, Equatable {
    public var name: Range<Int>
    public var value: Range<Int>

    public init(name: Range<Int>, value: Range<Int>) {
        self.name = name
        self.value = value
    }
}

/// A parsed request head. Every `Range` is an offset range into the buffer passed to the call
/// that returned ``HTTP1Event/head`` (the head starts at offset 0 of that buffer); copy what
/// you need with ``HTTP1/string(_:in:)`` or ``HTTP1/bytes(_:in:)`` before dropping those bytes.
public struct HTTP1RequestHead: Sendable, Equatable {
    public var method: HTTP1Method = .other
    public var methodBytes: Range<Int> = 0..<0
    /// The whole request-target as received.
    public var target: Range<Int> = 0..<0
    public var targetForm: HTTP1TargetForm = .origin
    /// The path: from the first `/` up to `?` or the end. Empty for an absolute-form target
    /// without a path (it means `/`); `*` for asterisk-form.
    public var path: Range<Int> = 0..<0
    /// The query after `?` (without the `?`), or nil when the target has no `?`.
    public var query: Range<Int>? = nil
    /// The authority of an absolute-form target.
    public var authority: Range<Int>? = nil
    public var version: HTTP1Version = .http11
    /// The Host field value (required, exactly once, for HTTP/1.1).
    public var host: Range<Int>? = nil
    /// The Content-Type field value, if any (at most one is accepted).
    public var contentType: Range<Int>? = nil
    /// The Upgrade field value, if any (the parser never upgrades; h2c is the server's call).
    public var upgrade: Range<Int>? = nil
    public var framing: HTTP1BodyFraming = .none
    /// Whether the connection may carry another request after this one: HTTP/1.1 unless
    /// `Connection: close`; HTTP/1.0 only with `Connection: keep-alive` (RFC 9112 §9.3).
    public var keepAlive: Bool = true
    /// `Expect: 100-continue` on an HTTP/1.1 request with a body: send ``HTTP1ResponseWriter/continue100``
    /// before reading the body (HTTP/1.0 expectations are ignored, RFC 9110 §10.1.1).
    public var expectsContinue: Bool = false
    /// Bytes of the head, request line through the empty line.
    public var length: Int = 0

    public init() {}

    /// Whether a body follows the head.
    public var hasBody: Bool {
        switch framing {
        case .none: false
        case .contentLength(let n): n > 0
        case .chunked: true
        }
    }
}

/// Namespace of HTTP/1.1 helpers: copying spans out of a buffer.
public enum HTTP1 {
    /// The bytes of `range` in `buffer` as a String (UTF-8, invalid sequences repaired).
    public static func string(_ range: Range<Int>, in buffer: UnsafeRawBufferPointer) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: buffer[range]), as: UTF8.self)
    }

    /// The bytes of `range` in `buffer`, copied.
    public static func bytes(_ range: Range<Int>, in buffer: UnsafeRawBufferPointer) -> [UInt8] {
        Array(UnsafeRawBufferPointer(rebasing: buffer[range]))
    }

    /// Whether `buffer[range]` equals `lowercased` ignoring ASCII case. `lowercased` must be
    /// lowercase ASCII (as every field name the server looks up is).
    @inline(__always)
    public static func equalsIgnoringCase(
        _ range: Range<Int>, in buffer: UnsafeRawBufferPointer, _ lowercased: StaticString
    ) -> Bool {
        guard range.count == lowercased.utf8CodeUnitCount else { return false }
        let want = lowercased.utf8Start
        var i = 0
        while i < range.count {
            let b = buffer[range.lowerBound &+ i]
            let w = want[i]
            if b != w && !(b >= 0x41 && b <= 0x5A && b | 0x20 == w) { return false }
            i &+= 1
        }
        return true
    }
}

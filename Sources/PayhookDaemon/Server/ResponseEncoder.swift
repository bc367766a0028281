import PayhookHTTP1

/// Serializes a `Response` with the HTTP/1.1 writer (`HTTP1ResponseWriter`): status line, the
/// `Date`, the handler's fields, `Content-Length`, and `Connection: close` on a connection's
/// last answer. HEAD answers carry the length but no body (RFC 9110 section 9.3.2).
enum ResponseEncoder {
    /// `date` is the `Date` field value (empty: none), passed in so encoding stays pure.
    static func encode(_ response: Response, headRequest: Bool, close: Bool, date: String = "") -> [UInt8] {
        var out: [UInt8] = []
        encode(response, headRequest: headRequest, close: close, date: date, into: &out)
        return out
    }

    /// Appends the encoding to `out` (the connection's output buffer: no intermediate copy).
    static func encode(_ response: Response, headRequest: Bool, close: Bool, date: String, into out: inout [UInt8]) {
        var memo = HTTP1FieldsMemo()
        encode(response, headRequest: headRequest, close: close, date: date, memo: &memo, into: &out)
    }

    /// `encode` with the connection's `HTTP1FieldsMemo`: the field lines of the list it last
    /// wrote are not checked and composed again.
    static func encode(_ response: Response, headRequest: Bool, close: Bool, date: String, memo: inout HTTP1FieldsMemo, into out: inout [UInt8]) {
        HTTP1ResponseWriter.write(
            status: response.status, headers: response.headers, date: date, body: response.body, close: close,
            isHeadResponse: headRequest, memo: &memo, into: &out)
    }

    /// The interim answer to `Expect: 100-continue`.
    static var continue100: [UInt8] { HTTP1ResponseWriter.continue100 }
}

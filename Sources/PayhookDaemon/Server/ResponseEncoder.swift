/// Serializes a `Response` as HTTP/1.1 bytes (RFC 9112 section 4 and 6): status line, the
/// handler's fields, `Content-Length`, and `Connection: close` on a connection's last answer.
/// HEAD answers carry the length but no body (RFC 9110 section 9.3.2). `date` is the `Date`
/// field value (empty: none), passed in so encoding stays a pure function.
enum ResponseEncoder {
    static func encode(_ response: Response, headRequest: Bool, close: Bool, date: String = "") -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128 + response.body.count)
        append(&out, "HTTP/1.1 \(response.status) \(Response.reason(response.status))\r\n")
        if !date.isEmpty { append(&out, "Date: \(date)\r\n") }
        for (name, value) in response.headers {
            append(&out, name)
            append(&out, ": ")
            append(&out, value)
            append(&out, "\r\n")
        }
        let bodyless = response.status == 204 || response.status == 304 || (100..<200).contains(response.status)
        if !bodyless { append(&out, "Content-Length: \(response.body.count)\r\n") }
        if close { append(&out, "Connection: close\r\n") }
        append(&out, "\r\n")
        if !headRequest && !bodyless { out += response.body }
        return out
    }

    private static func append(_ out: inout [UInt8], _ s: String) { out.append(contentsOf: s.utf8) }
}

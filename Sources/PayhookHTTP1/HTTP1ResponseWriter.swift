import PayhookCore

/// Serializes HTTP/1.1 responses (RFC 9112 §4, §6) into a caller's byte buffer.
///
/// Every response carries `Content-Length` (except 1xx, 204 and 304, which must not, RFC 9110
/// §8.6), `Connection: close` when the server closes after it, and `Content-Type` when there is a
/// body type. A response to HEAD gets the same head as the GET would, and no body.
public enum HTTP1ResponseWriter {
    /// The interim answer to `Expect: 100-continue` (RFC 9110 §10.1.1).
    public static let continue100: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Appends a whole response to `out`.
    /// - Parameters:
    ///   - status: a status code from 200 to 599 (see ``reasonPhrase(_:)``).
    ///   - headers: extra fields (`Allow`, `Retry-After`, `Date`, ...); names are tokens and
    ///     values hold no CR, LF or NUL (the writer traps otherwise: they come from code).
    ///   - contentType: the `Content-Type` value, if any.
    ///   - body: the content; its length is announced even when `isHeadResponse` omits it.
    ///   - close: adds `Connection: close`; the caller closes after sending.
    ///   - isHeadResponse: the request was HEAD: head only.
    ///   - date: the `Date` value, written before `headers` (empty: none); a parameter so that
    ///     the server does not build a new field array per answer to put it first.
    ///
    /// `body` is a concrete array, not `some Collection`: a generic parameter across the module
    /// boundary is not specialized, and every answer paid witness-table lookups and a byte-by-byte
    /// generic append of its body.
    public static func write(
        status: Int, headers: [(name: String, value: String)] = [], date: String = "", contentType: String? = nil,
        body: [UInt8] = [], close: Bool = false, isHeadResponse: Bool = false,
        into out: inout [UInt8]
    ) {
        precondition((200...599).contains(status), "final status expected, got \(status)")
        out.reserveCapacity(out.count + 128 + body.count)
        append("HTTP/1.1 ", to: &out)
        ASCIIDecimal.append(UInt64(status), to: &out)
        out.append(0x20)
        append(reasonPhrase(status), to: &out)
        append("\r\n", to: &out)
        if let contentType { field("Content-Type", contentType, to: &out) }
        if status != 204 && status != 304 {
            append("Content-Length: ", to: &out)
            ASCIIDecimal.append(UInt64(body.count), to: &out)
            append("\r\n", to: &out)
        }
        if close { append("Connection: close\r\n", to: &out) }
        if !date.isEmpty { field("Date", date, to: &out) }
        for (name, value) in headers { field(name, value, to: &out) }
        append("\r\n", to: &out)
        if !isHeadResponse && status != 204 && status != 304 { out.append(contentsOf: body) }
    }

    /// The reason phrase of the statuses payhookd answers (RFC 9110 §15); "Unknown" otherwise.
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 101: "Switching Protocols"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 426: "Upgrade Required"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Unknown"
        }
    }

    /// Checks and appends `name: value\r\n`. The checks run by index over the strings' bytes
    /// (a token table, a range test) and the line goes in with one capacity check: the
    /// per-byte closures and four appends of before were a tenth of a status answer's user time.
    private static func field(_ name: String, _ value: String, to out: inout [UInt8]) {
        var name = name
        var value = value
        name.withUTF8 { n in
            value.withUTF8 { v in
                precondition(!n.isEmpty && isAll(n, HTTP1ByteClass.isTokenByTable), "invalid field name \(String(decoding: n, as: UTF8.self))")
                precondition(isFieldValue(v), "invalid value for \(String(decoding: n, as: UTF8.self))")
                out.reserveCapacity(out.count + n.count + v.count + 4)
                out.append(contentsOf: n)
                out.append(0x3A)
                out.append(0x20)
                out.append(contentsOf: v)
                out.append(0x0D)
                out.append(0x0A)
            }
        }
    }

    /// No CTL but HTAB (RFC 9110 section 5.5). Eight bytes a step (SWAR): only a word with a
    /// byte below 0x20 or DEL is checked byte by byte (every answer checks its `Date` and
    /// `Content-Type`).
    private static func isFieldValue(_ v: UnsafeBufferPointer<UInt8>) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var i = 0
        if let base = v.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= v.count {
                let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let x = w ^ (ones &* 0x7F)
                // Nonzero exactly when some byte is below 0x20 or is 0x7F ("Bit Twiddling Hacks").
                if ((w &- ones &* 0x20) & ~w & highs) | ((x &- ones) & ~x & highs) != 0 { break }
                i += 8
            }
        }
        return isAll(UnsafeBufferPointer(rebasing: v[i...])) { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }
    }

    @inline(__always)
    private static func isAll(_ bytes: UnsafeBufferPointer<UInt8>, _ test: (UInt8) -> Bool) -> Bool {
        for i in 0..<bytes.count where !test(bytes[i]) { return false }
        return true
    }

    @inline(__always)
    private static func append(_ text: String, to out: inout [UInt8]) {
        if text.utf8.withContiguousStorageIfAvailable({ out.append(contentsOf: $0) }) == nil { out.append(contentsOf: text.utf8) }
    }
}

/// The `Date` field value (IMF-fixdate, RFC 9110 §5.6.7), e.g. `Sun, 22 Nov 2026 10:00:00 GMT`.
public enum HTTP1Date {
    public static func imfFixdate(unixSeconds: Int64) -> String {
        let days = Int(unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400)
        let second = Int(unixSeconds - Int64(days) * 86_400)
        let (year, month, day) = Timestamp.civil(fromDays: days)
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekday = weekdays[((days % 7) + 7) % 7]
        return "\(weekday), \(pad(day, 2)) \(months[month - 1]) \(pad(year, 4)) "
            + "\(pad(second / 3600, 2)):\(pad(second / 60 % 60, 2)):\(pad(second % 60, 2)) GMT"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

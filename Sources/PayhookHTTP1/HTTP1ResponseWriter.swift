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
    ///   - date: the `Date` value, an `HTTP1Date.imfFixdate` (not checked), written before
    ///     `headers` (empty: none); a parameter so that the server does not build a new field
    ///     array per answer to put it first.
    ///
    /// `body` is a concrete array, not `some Collection`: a generic parameter across the module
    /// boundary is not specialized, and every answer paid witness-table lookups and a byte-by-byte
    /// generic append of its body.
    public static func write(
        status: Int, headers: [(name: String, value: String)] = [], date: String = "", contentType: String? = nil,
        body: [UInt8] = [], close: Bool = false, isHeadResponse: Bool = false,
        into out: inout [UInt8]
    ) {
        var memo = HTTP1FieldsMemo()
        write(
            status: status, headers: headers, date: date, contentType: contentType, body: body, close: close, isHeadResponse: isHeadResponse,
            memo: &memo, into: &out)
    }

    /// `write`, with `headers` taken from `memo` when they are the list it last wrote (see
    /// `HTTP1FieldsMemo`): a connection keeps one, and answers that share a field list (every
    /// status query's `Content-Type`) have it checked and composed once.
    public static func write(
        status: Int, headers: [(name: String, value: String)], date: String, contentType: String? = nil,
        body: [UInt8], close: Bool, isHeadResponse: Bool, memo: inout HTTP1FieldsMemo, into out: inout [UInt8]
    ) {
        precondition((200...599).contains(status), "final status expected, got \(status)")
        let hasBody = status != 204 && status != 304
        memo.withLines(headers) { lines in
            // The head is composed by pointer in a buffer sized here (strings' UTF-8 counts are
            // stored), then appended to `out` at once: about fifteen `Array.append` calls with
            // their capacity and uniqueness checks were a tenth of a status query's instructions.
            // The fixed text: the status line (at most 64), `Content-Type` (16),
            // `Content-Length` (38 at most), `Connection: close` (19), `Date` (8), the blank line.
            let size = 160 + date.utf8.count + (contentType?.utf8.count ?? 0) + lines.count
            out.reserveCapacity(out.count + size + (isHeadResponse || !hasBody ? 0 : body.count))
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: size) { buffer in
                var w = HeadWriter(buffer)
                w.statusLine(status)
                if let contentType { w.field("Content-Type", contentType) }
                if hasBody {
                    w.raw("Content-Length: ")
                    w.decimal(UInt64(body.count))
                    w.raw("\r\n")
                }
                if close { w.raw("Connection: close\r\n") }
                if !date.isEmpty {
                    // Not checked as the handlers' fields are: it is `HTTP1Date`'s.
                    w.raw("Date: ")
                    w.text(date)
                    w.raw("\r\n")
                }
                w.bytes(lines)
                w.raw("\r\n")
                out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<w.at]))
            }
        }
        if !isHeadResponse && hasBody { out.append(contentsOf: body) }
    }

    /// `HTTP/1.1 <status> <reason>\r\n` as one literal for the statuses payhookd answers most
    /// (one copy of known length), else composed.
    fileprivate static func statusLine(_ status: Int) -> StaticString? {
        switch status {
        case 200: "HTTP/1.1 200 OK\r\n"
        case 202: "HTTP/1.1 202 Accepted\r\n"
        case 400: "HTTP/1.1 400 Bad Request\r\n"
        case 401: "HTTP/1.1 401 Unauthorized\r\n"
        case 404: "HTTP/1.1 404 Not Found\r\n"
        default: nil
        }
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

    /// No CTL but HTAB (RFC 9110 section 5.5). Eight bytes a step (SWAR): only a word with a
    /// byte below 0x20 or DEL is checked byte by byte (every answer checks its `Date` and
    /// `Content-Type`).
    fileprivate static func isFieldValue(_ v: UnsafeBufferPointer<UInt8>) -> Bool {
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
    fileprivate static func isAll(_ bytes: UnsafeBufferPointer<UInt8>, _ test: (UInt8) -> Bool) -> Bool {
        for i in 0..<bytes.count where !test(bytes[i]) { return false }
        return true
    }
}

/// Writes a response head into a buffer `HTTP1ResponseWriter.write` sized for it.
private struct HeadWriter {
    let out: UnsafeMutableBufferPointer<UInt8>
    var at = 0

    init(_ out: UnsafeMutableBufferPointer<UInt8>) { self.out = out }

    mutating func bytes(_ b: UnsafeBufferPointer<UInt8>) {
        guard let base = b.baseAddress, b.count > 0 else { return }
        precondition(at + b.count <= out.count, "response head over its bound")
        (out.baseAddress! + at).update(from: base, count: b.count)
        at += b.count
    }

    mutating func byte(_ b: UInt8) {
        out[at] = b
        at += 1
    }

    /// Inlined, so that a literal's length is a constant and its copy a few moves (a call to
    /// `memcpy` per literal was a twentieth of a status query).
    @inline(__always)
    mutating func raw(_ s: StaticString) {
        let n = s.utf8CodeUnitCount
        precondition(at + n <= out.count, "response head over its bound")
        UnsafeMutableRawPointer(out.baseAddress! + at).copyMemory(from: s.utf8Start, byteCount: n)
        at += n
    }

    mutating func statusLine(_ status: Int) {
        if let line = HTTP1ResponseWriter.statusLine(status) {
            return bytes(UnsafeBufferPointer(start: line.utf8Start, count: line.utf8CodeUnitCount))
        }
        raw("HTTP/1.1 ")
        decimal(UInt64(status))
        byte(0x20)
        text(HTTP1ResponseWriter.reasonPhrase(status))
        raw("\r\n")
    }

    mutating func text(_ s: String) {
        if s.utf8.withContiguousStorageIfAvailable({ bytes($0) }) == nil { for b in s.utf8 { byte(b) } }
    }

    mutating func decimal(_ value: UInt64) { ASCIIDecimal.forEachDigit(value) { byte($0) } }

    /// Checks and writes `name: value\r\n`: the name a token, the value without CTLs but HTAB
    /// (the writer traps otherwise: fields come from code, not from requests).
    mutating func field(_ name: String, _ value: String) {
        var name = name
        var value = value
        name.withUTF8 { n in
            precondition(
                !n.isEmpty && HTTP1ResponseWriter.isAll(n, HTTP1ByteClass.isTokenByTable), "invalid field name \(String(decoding: n, as: UTF8.self))")
            value.withUTF8 { v in
                precondition(HTTP1ResponseWriter.isFieldValue(v), "invalid value for \(String(decoding: n, as: UTF8.self))")
                bytes(n)
                byte(0x3A)
                byte(0x20)
                bytes(v)
                byte(0x0D)
                byte(0x0A)
            }
        }
    }
}

/// The handler fields of the last answer a connection wrote, checked and composed as
/// `name: value\r\n` lines. The memo holds the list itself, so while it does, that list's
/// storage is shared and can be neither changed in place (a change copies it) nor freed and
/// reused: an answer whose list has the same storage has the same fields, and gets these bytes
/// without the checks (a status query's `Content-Type` was a twentieth of its instructions).
/// Any other list is checked and written as before, and then remembered in its place.
public struct HTTP1FieldsMemo {
    private var list: [(name: String, value: String)] = []
    private var lines: [UInt8] = []

    public init() {}

    mutating func withLines<R>(_ headers: [(name: String, value: String)], _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if !Self.sameStorage(list, headers) {
            lines.removeAll(keepingCapacity: true)
            var size = 0
            for (name, value) in headers { size += name.utf8.count + value.utf8.count + 4 }
            if size > 0 {
                // Into the memo's own buffer, which keeps its capacity: a connection whose answers
                // change lists makes no allocation for them once it holds the longest.
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: size) { buffer in
                    var w = HeadWriter(buffer)
                    for (name, value) in headers { w.field(name, value) }
                    lines.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<w.at]))
                }
            }
            list = headers
        }
        return lines.withUnsafeBufferPointer(body)
    }

    /// Whether `a` and `b` are one list: the same count and storage (two empty lists are one,
    /// whatever their storage: they write nothing).
    private static func sameStorage(_ a: [(name: String, value: String)], _ b: [(name: String, value: String)]) -> Bool {
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        return a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress } }
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

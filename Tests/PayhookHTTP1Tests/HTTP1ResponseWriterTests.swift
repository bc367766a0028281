import PayhookHTTP1
import Testing

/// Exact bytes of the responses payhookd sends.
@Suite struct HTTP1ResponseWriterTests {
    static func text(_ out: [UInt8]) -> String { String(decoding: out, as: UTF8.self) }

    @Test("a JSON answer carries Content-Type and Content-Length, then the body")
    func jsonAnswer() {
        var out: [UInt8] = []
        HTTP1ResponseWriter.write(status: 200, contentType: "application/json", body: Array("{\"ok\":true}".utf8), into: &out)
        #expect(Self.text(out) == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}")
    }

    @Test("closing adds Connection: close; extra headers follow in order")
    func closeAndHeaders() {
        var out: [UInt8] = []
        HTTP1ResponseWriter.write(status: 405, headers: [("Allow", "POST")], close: true, into: &out)
        #expect(Self.text(out) == "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\nAllow: POST\r\n\r\n")
    }

    @Test("every fixed field at once (the longest reason, type, length, close, date, an extra field) fits the head's buffer")
    func longestHead() {
        var out: [UInt8] = []
        let date = "Mon, 30 Nov 2026 10:44:09 GMT"
        HTTP1ResponseWriter.write(
            status: 431, headers: [("Retry-After", "1")], date: date, contentType: "application/json",
            body: [UInt8](repeating: 0x61, count: 1_000_000),
            close: true, isHeadResponse: true, into: &out)
        #expect(
            Self.text(out)
                == "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n"
                + "Connection: close\r\nDate: \(date)\r\nRetry-After: 1\r\n\r\n")
    }

    @Test("HEAD gets the head with the GET's Content-Length and no body")
    func headResponse() {
        var out: [UInt8] = []
        HTTP1ResponseWriter.write(status: 200, contentType: "text/plain", body: Array("ok\n".utf8), isHeadResponse: true, into: &out)
        #expect(Self.text(out) == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\n")
    }

    @Test("204 has neither Content-Length nor body")
    func noContent() {
        var out: [UInt8] = []
        HTTP1ResponseWriter.write(status: 204, body: Array("x".utf8), into: &out)
        #expect(Self.text(out) == "HTTP/1.1 204 No Content\r\n\r\n")
    }

    @Test("Content-Length and the status code are written digit by digit: 0, 9, 10, 999, 1000, 1,000,000")
    func decimalDigits() {
        for n in [0, 9, 10, 999, 1000, 1_000_000] {
            var out: [UInt8] = []
            HTTP1ResponseWriter.write(status: 503, body: [UInt8](repeating: 0x61, count: n), isHeadResponse: true, into: &out)
            #expect(Self.text(out) == "HTTP/1.1 503 Service Unavailable\r\nContent-Length: \(n)\r\n\r\n")
        }
    }

    @Test("a Date and handler fields follow Content-Length and Connection; long and short values are copied whole")
    func dateAndFields() {
        var out: [UInt8] = []
        let long = String(repeating: "v", count: 40)
        HTTP1ResponseWriter.write(
            status: 200, headers: [("X-Long", long), ("X", "s")], date: "Sun, 22 Nov 2026 10:00:00 GMT", body: [0x31],
            close: true, into: &out)
        #expect(
            Self.text(out)
                == "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\nDate: Sun, 22 Nov 2026 10:00:00 GMT\r\n"
                + "X-Long: \(long)\r\nX: s\r\n\r\n1")
    }

    @Test("100 Continue is the bare interim line")
    func continue100() {
        #expect(Self.text(HTTP1ResponseWriter.continue100) == "HTTP/1.1 100 Continue\r\n\r\n")
    }

    @Test("every status a parse error maps to has its reason phrase")
    func reasonPhrases() {
        for kind in HTTP1ParseError.Kind.allCases {
            #expect(HTTP1ResponseWriter.reasonPhrase(HTTP1ParseError(kind, offset: 0).status) != "Unknown")
        }
        for status in [200, 202, 401, 403, 404, 405, 408, 413, 415, 503] {
            #expect(HTTP1ResponseWriter.reasonPhrase(status) != "Unknown")
        }
        #expect(HTTP1ResponseWriter.reasonPhrase(413) == "Content Too Large")
    }

    @Test("Date values are IMF-fixdate")
    func date() {
        #expect(HTTP1Date.imfFixdate(unixSeconds: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTP1Date.imfFixdate(unixSeconds: 1_795_341_600) == "Sun, 22 Nov 2026 10:00:00 GMT")
    }

    @Test("a field value with a control byte (other than HTAB) or DEL stops the process, in a checked word or in the tail")
    func controlInValueTraps() async {
        // Exit-test bodies capture nothing: one literal each.
        await #expect(processExitsWith: .failure) {
            var out: [UInt8] = []
            HTTP1ResponseWriter.write(status: 200, headers: [("X-Test", "01234567\u{7F}")], into: &out)
        }
        await #expect(processExitsWith: .failure) {
            var out: [UInt8] = []
            HTTP1ResponseWriter.write(status: 200, headers: [("X-Test", "0123456\u{0}89abcdef")], into: &out)
        }
        await #expect(processExitsWith: .failure) {
            var out: [UInt8] = []
            HTTP1ResponseWriter.write(status: 200, headers: [("X-Test", "0123456789abcdef\r")], into: &out)
        }
        await #expect(processExitsWith: .failure) {
            var out: [UInt8] = []
            HTTP1ResponseWriter.write(status: 200, headers: [("X-Test", "\u{1F}234567")], into: &out)
        }
    }

    @Test("HTAB and every byte from 0x20 but DEL pass the value check, in eight-byte words and in the tail")
    func plainValuesPass() {
        var out: [UInt8] = []
        let value = "a\tb c~" + String(repeating: "xyz!#", count: 5) + "é\t"
        HTTP1ResponseWriter.write(status: 200, headers: [("X-Test", value)], into: &out)
        #expect(Self.text(out).contains("X-Test: \(value)\r\n"))
    }

    /// `write` with a memo kept across answers, as a connection keeps one.
    private static func written(_ status: Int, _ headers: [(name: String, value: String)], memo: inout HTTP1FieldsMemo) -> String {
        var out: [UInt8] = []
        HTTP1ResponseWriter.write(
            status: status, headers: headers, date: "", body: [0x31], close: false, isHeadResponse: false, memo: &memo, into: &out)
        return text(out)
    }

    @Test("a kept memo writes each answer's own fields: the same list again, another list of as many fields, a changed copy, none")
    func memoWritesEachAnswersFields() {
        var memo = HTTP1FieldsMemo()
        let json: [(name: String, value: String)] = [("Content-Type", "application/json")]
        let head = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
        #expect(Self.written(200, json, memo: &memo) == head + "Content-Type: application/json\r\n\r\n1")
        #expect(Self.written(200, json, memo: &memo) == head + "Content-Type: application/json\r\n\r\n1")
        // As many fields, other storage and other values.
        #expect(Self.written(200, [("Content-Type", "text/plain")], memo: &memo) == head + "Content-Type: text/plain\r\n\r\n1")
        // A copy of the remembered list changed after it was written: its own storage, its own bytes.
        var changed = json
        #expect(Self.written(200, changed, memo: &memo) == head + "Content-Type: application/json\r\n\r\n1")
        changed[0].value = "application/problem+json"
        #expect(Self.written(200, changed, memo: &memo) == head + "Content-Type: application/problem+json\r\n\r\n1")
        #expect(Self.written(200, [], memo: &memo) == head + "\r\n1")
        #expect(
            Self.written(404, json + [("Allow", "GET")], memo: &memo) == "HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n"
                + "Content-Type: application/json\r\nAllow: GET\r\n\r\n1")
    }

    @Test("the status lines written whole and the ones composed from code and reason read the same way")
    func statusLines() {
        var memo = HTTP1FieldsMemo()
        for status in [200, 202, 400, 401, 404, 405, 413, 503, 299] {
            #expect(
                Self.written(status, [], memo: &memo)
                    == "HTTP/1.1 \(status) \(HTTP1ResponseWriter.reasonPhrase(status))\r\nContent-Length: 1\r\n\r\n1")
        }
    }
}

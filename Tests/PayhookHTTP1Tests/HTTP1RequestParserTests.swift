import PayhookHTTP1
import Testing

/// Valid requests: each case is parsed whole, byte by byte and split at every offset, and every
/// way must give the same requests.
@Suite struct HTTP1RequestParserTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var raw: String
        var leniencies: HTTP1Leniencies = []
        var check: @Sendable ([ParsedRequest]) -> Bool
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "GET origin-form with query",
            raw: "GET /v1/events?after=3&limit=10 HTTP/1.1\r\nHost: localhost:8481\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n"
        ) {
            $0.count == 1 && $0[0].methodKind == .get && $0[0].path == "/v1/events" && $0[0].query == "after=3&limit=10"
                && $0[0].host == "localhost:8481" && $0[0].keepAlive && $0[0].framing == .none
                && $0[0].fields == [["Host", "localhost:8481"], ["User-Agent", "curl/8.5.0"], ["Accept", "*/*"]]
        },
        Case(
            name: "POST with Content-Length body",
            raw: "POST /hooks/noventiq HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"ok\":true}\r\n"
        ) {
            $0.count == 1 && $0[0].methodKind == .post && $0[0].bodyText == "{\"ok\":true}\r\n" && $0[0].framing == .contentLength(13)
                && $0[0].contentType == "application/json"
        },
        Case(name: "Content-Length 0 means no body", raw: "POST /hooks/a HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n") {
            $0.count == 1 && $0[0].body.isEmpty && $0[0].framing == .contentLength(0)
        },
        Case(
            name: "chunked body with extensions and trailers",
            raw:
                "POST /hooks/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=value;flag\r\nhello\r\n6;q=\"a \\\"b\\\"\"\r\n world\r\nA\r\n0123456789\r\n0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n"
        ) {
            $0.count == 1 && $0[0].bodyText == "hello world0123456789" && $0[0].framing == .chunked
        },
        Case(
            name: "chunked with uppercase hex and leading zeros",
            raw: "POST /h HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n00A\r\nhelloworld\r\n000\r\n\r\n"
        ) {
            $0.count == 1 && $0[0].bodyText == "helloworld"
        },
        Case(
            name: "methods are case-sensitive, Host is not (both compared a word at a time)",
            raw: "get / HTTP/1.1\r\nhOsT: x\r\n\r\nGET / HTTP/1.1\r\nHOST: y\r\n\r\nGETS / HTTP/1.1\r\nhost: z\r\n\r\n"
        ) {
            $0.map(\.methodKind) == [.other, .get, .other] && $0.map(\.host) == ["x", "y", "z"]
        },
        Case(name: "HEAD", raw: "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n") { $0.count == 1 && $0[0].methodKind == .head },
        Case(name: "Connection: close ends keep-alive", raw: "GET / HTTP/1.1\r\nHost: x\r\nConnection: Keep-Alive, Close\r\n\r\n") {
            $0.count == 1 && !$0[0].keepAlive
        },
        Case(name: "HTTP/1.0 closes by default and needs no Host", raw: "GET / HTTP/1.0\r\n\r\n") {
            $0.count == 1 && $0[0].version == .http10 && !$0[0].keepAlive && $0[0].host == nil
        },
        Case(name: "HTTP/1.0 keep-alive", raw: "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") { $0.count == 1 && $0[0].keepAlive },
        Case(name: "Expect: 100-continue with a body", raw: "POST /h HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nhi") {
            $0.count == 1 && $0[0].expectsContinue && $0[0].bodyText == "hi"
        },
        Case(name: "Expect: 100-continue is ignored on HTTP/1.0", raw: "POST /h HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi") {
            $0.count == 1 && !$0[0].expectsContinue
        },
        Case(
            name: "absolute-form: path extracted, Host still required",
            raw: "GET http://Example.com:80/a/b?c=d HTTP/1.1\r\nHost: example.com:80\r\n\r\n"
        ) {
            $0.count == 1 && $0[0].form == .absolute && $0[0].path == "/a/b" && $0[0].query == "c=d"
        },
        Case(name: "absolute-form without a path", raw: "GET https://x HTTP/1.1\r\nHost: x\r\n\r\n") { $0.count == 1 && $0[0].path == "" },
        Case(name: "asterisk-form with OPTIONS", raw: "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n") {
            $0.count == 1 && $0[0].form == .asterisk && $0[0].path == "*"
        },
        Case(
            name: "field values trimmed, OWS and obs-text kept inside", raw: "GET / HTTP/1.1\r\nHost:x\r\nX-A: \t a\tb \u{E9} \t\r\nX-Empty:\r\n\r\n"
        ) {
            $0.count == 1 && $0[0].fields == [["Host", "x"], ["X-A", "a\tb é"], ["X-Empty", ""]]
        },
        Case(name: "percent escapes of printable bytes, IPv6 Host", raw: "GET /a%20b%2F?q=%7E HTTP/1.1\r\nHost: [::1]:8481\r\n\r\n") {
            $0.count == 1 && $0[0].path == "/a%20b%2F" && $0[0].host == "[::1]:8481"
        },
        Case(
            name: "pipelined requests",
            raw:
                "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcPOST /3 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\nHEAD /4 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        ) {
            $0.map(\.path) == ["/1", "/2", "/3", "/4"] && $0[1].bodyText == "abc" && $0[2].bodyText == "z" && !$0[3].keepAlive
        },
        Case(name: "leniency: one leading empty line", raw: "\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", leniencies: .leadingEmptyLine) {
            $0.count == 1 && $0[0].path == "/" && $0[0].headLength == 29
        },
        Case(
            name: "leniency: framing whitespace", raw: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\t 2 \r\n\r\nhi",
            leniencies: .framingFieldWhitespace
        ) {
            $0.count == 1 && $0[0].bodyText == "hi"
        },
        Case(name: "leniency: body on GET", raw: "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi", leniencies: .bodyOnBodilessMethod) {
            $0.count == 1 && $0[0].bodyText == "hi"
        },
    ]

    @Test("valid requests parse identically whole, byte by byte and split at every offset", arguments: cases)
    func validRequests(_ c: Case) {
        let (whole, mismatches) = SplitFeeder.allWays(bytes(c.raw), leniencies: c.leniencies)
        #expect(whole.error == nil, "\(whole.error.map(String.init(describing:)) ?? "")")
        #expect(!whole.midMessage && whole.leftover == 0)
        #expect(c.check(whole.requests), "\(whole.requests)")
        #expect(mismatches.isEmpty, "\(mismatches.prefix(1))")
    }

    @Test("an incomplete request asks for more and keeps its bytes unconsumed")
    func incomplete() {
        let t = SplitFeeder.whole(bytes("GET / HTTP/1.1\r\nHost: x\r\n"))
        #expect(t.requests.isEmpty && t.error == nil && t.leftover == 25)
        let body = SplitFeeder.whole(bytes("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello"))
        #expect(body.requests.isEmpty && body.error == nil && body.midMessage && body.leftover == 0)
    }

    @Test("case-insensitive field lookup returns the first value")
    func lookup() {
        var parser = HTTP1RequestParser()
        let raw = bytes("POST /h HTTP/1.1\r\nHost: x\r\nX-Signature: abc\r\nx-signature: def\r\nContent-Length: 0\r\n\r\n")
        raw.withUnsafeBytes { buffer in
            #expect(parser.parse(buffer) == HTTP1ParseResult(event: .head, consumed: raw.count))
            #expect(parser.value(of: "x-signature", in: buffer).map { HTTP1.string($0, in: buffer) } == "abc")
            #expect(parser.value(of: "x-missing", in: buffer) == nil)
            #expect(parser.parse(UnsafeRawBufferPointer(rebasing: buffer[raw.count...])) == HTTP1ParseResult(event: .end, consumed: 0))
        }
    }

    @Test("lookup by name matches names starting with _ or ^ exactly and skips same-length near misses")
    func lookupPunctuation() {
        var parser = HTTP1RequestParser()
        let raw = bytes("GET /h HTTP/1.1\r\nHost: x\r\n~sig: a\r\n_sig: b\r\n^Sig: c\r\nx-Signaturf: d\r\nX-SIGNATURE: e\r\n\r\n")
        raw.withUnsafeBytes { buffer in
            #expect(parser.parse(buffer) == HTTP1ParseResult(event: .head, consumed: raw.count))
            #expect(parser.value(of: "_sig", in: buffer).map { HTTP1.string($0, in: buffer) } == "b")
            #expect(parser.value(of: "^sig", in: buffer).map { HTTP1.string($0, in: buffer) } == "c")
            #expect(parser.value(of: "~sig", in: buffer).map { HTTP1.string($0, in: buffer) } == "a")
            #expect(parser.value(of: "x-signature", in: buffer).map { HTTP1.string($0, in: buffer) } == "e")
        }
    }

    @Test("after an error every call returns the same error and consumes nothing")
    func stickyError() {
        var parser = HTTP1RequestParser()
        let raw = bytes("GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n")
        raw.withUnsafeBytes { buffer in
            let first = parser.parse(buffer)
            #expect(first == HTTP1ParseResult(event: .error(HTTP1ParseError(.whitespaceBeforeColon, offset: 28)), consumed: 0))
            #expect(parser.parse(buffer) == first)
        }
    }
}

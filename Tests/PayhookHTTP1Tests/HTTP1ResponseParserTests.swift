import PayhookHTTP1
import Testing

@Suite struct HTTP1ResponseParserTests {
    func check(_ text: String, close: Bool = false, limits: HTTP1ResponseLimits = HTTP1ResponseLimits()) -> ResponseTranscript {
        let (whole, mismatches) = ResponseFeeder.allWays(bytes(text), limits: limits, close: close)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
        return whole
    }

    @Test("Content-Length body: status, kept body, keep-alive; a second response on the connection follows")
    func contentLength() {
        let t = check("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 500 Oops\r\ncontent-length:0\r\n\r\n")
        #expect(t.responses == [response(200, body: "hello"), response(500)])
        #expect(t.error == nil)
    }

    @Test("chunked body with extensions and trailers")
    func chunked() {
        let t = check("HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n6 ; x\r\n world\r\n0\r\nX-T: 1\r\n\r\n")
        #expect(t.responses == [response(202, body: "hello world")])
    }

    @Test("no framing: the body runs to the close, and the connection is not reused")
    func closeDelimited() {
        let t = check("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", close: true)
        #expect(t.responses.isEmpty)
        #expect(t.atClose == .complete(response(200, body: "until the end", keepAlive: false)))
    }

    @Test("1xx are skipped, 204 and 304 have no body, 101 is refused")
    func interimAndBodiless() {
        let t = check(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n")
        #expect(t.responses == [response(204)])
        #expect(check("HTTP/1.1 304 Not Modified\r\n\r\n").responses == [response(304)])
        #expect(check("HTTP/1.1 101 Switching Protocols\r\n\r\n").error?.kind == .switchingProtocols)
    }

    @Test("Connection: close and HTTP/1.0 decide whether the connection is reused")
    func keepAlive() {
        #expect(check("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").responses == [response(200, keepAlive: false)])
        #expect(check("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").responses == [response(200, keepAlive: false, minor: 0)])
        #expect(check("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n").responses == [response(200, minor: 0)])
    }

    @Test("field names match in any case, byte for byte otherwise; each answer on a connection starts clean")
    func fieldNameCase() {
        let t = check(
            "HTTP/1.1 200 OK\r\nCONTENT-LENGTH: 2\r\nX-Long-Field: \(String(repeating: "v", count: 300))\r\n\r\nok"
                + "HTTP/1.1 201 Created\r\ntransfer-encoding: ChUnKeD\r\n\r\n1\r\nx\r\n0\r\n\r\n"
                + "HTTP/1.1 202 Accepted\r\nContent-Lengt: 7\r\ncOnNeCtIoN: CLOSE\r\nContent-Length: 0\r\n\r\n")
        #expect(t.responses == [response(200, body: "ok"), response(201, body: "x"), response(202, keepAlive: false)])
        #expect(t.error == nil)
        #expect(check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunkedx\r\n\r\n").error?.kind == .unsupportedTransferCoding)
    }

    @Test("Retry-After: seconds or an IMF-fixdate; an invalid value is ignored")
    func retryAfter() {
        let s = check("HTTP/1.1 503 Busy\r\nRetry-After: 120\r\nContent-Length: 0\r\n\r\n")
        #expect(s.responses.first?.retryAfter == .seconds(120))
        let d = check("HTTP/1.1 429 Slow down\r\nRetry-After: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 0\r\n\r\n")
        #expect(d.responses.first?.retryAfter == .date(784_111_777))
        #expect(HTTP1RetryAfter.date(784_111_777).delayMs(nowUnixMs: 784_111_777_000 - 2_500) == 2_500)
        #expect(HTTP1RetryAfter.date(784_111_777).delayMs(nowUnixMs: 900_000_000_000) == 0)
        for bad in ["-1", "1.5", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Sun, 06 Nov 1994 25:49:37 GMT", ""] {
            #expect(HTTP1RetryAfter(Array(bad.utf8)) == nil, "\(bad)")
        }
        #expect(HTTP1RetryAfter(Array("99999999999999999999999".utf8)) == .seconds(.max))
        let i = check("HTTP/1.1 503 Busy\r\nRetry-After: soon\r\nContent-Length: 0\r\n\r\n")
        #expect(i.responses == [response(503)])
    }

    @Test("a 1 GB Content-Length is read and dropped: the kept body stays at max_kept_body_bytes")
    func hugeBody() {
        var parser = HTTP1ResponseParser(limits: HTTP1ResponseLimits(maxKeptBodyBytes: 100))
        let head = bytes("HTTP/1.1 500 Error\r\nContent-Length: 1073741824\r\n\r\n")
        #expect(head.withUnsafeBytes { parser.parse($0) } == HTTP1ResponseResult(event: .needMore, consumed: head.count))
        let block = [UInt8](repeating: 0x78, count: 1 << 20)
        for _ in 0..<1023 {
            #expect(block.withUnsafeBytes { parser.parse($0) }.event == .needMore)
        }
        let last = (block + bytes("HTTP/1.1")).withUnsafeBytes { parser.parse($0) }
        guard case .complete(let r) = last.event else {
            Issue.record("not complete: \(last)")
            return
        }
        #expect(last.consumed == block.count, "the next answer's bytes are not consumed")
        #expect(r.bodyBytes == 1 << 30 && r.body.count == 100 && r.status == 500)
    }

    @Test("the peer's close: mid-response is truncated, before any byte is closedBeforeResponse")
    func closes() {
        #expect(check("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", close: true).atClose == .error(.init(.truncated, offset: 41)))
        #expect(check("HTTP/1.1 200", close: true).atClose == .error(.init(.truncated, offset: 12)))
        #expect(check("", close: true).atClose == .error(.init(.closedBeforeResponse, offset: 0)))
        let after = check("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", close: true)
        #expect(after.responses.count == 1 && after.atClose == .error(.init(.closedBeforeResponse, offset: 0)))
    }
}

import PayhookHTTP1
import Testing

/// Pipelining and the consumed-bytes contract the server's read loop relies on.
@Suite struct HTTP1PipeliningTests {
    @Test("each event reports exactly the bytes of its part, so the next request starts right after")
    func consumedCounts() {
        let first = bytes("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n")
        let raw = first + bytes("abc") + bytes("GET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c")
        var parser = HTTP1RequestParser()
        var events: [HTTP1ParseResult] = []
        var offset = 0
        raw.withUnsafeBytes { buffer in
            while true {
                let result = parser.parse(UnsafeRawBufferPointer(rebasing: buffer[offset...]))
                events.append(result)
                offset += result.consumed
                if result.event == .needMore { break }
            }
        }
        #expect(
            events == [
                HTTP1ParseResult(event: .head, consumed: first.count),
                HTTP1ParseResult(event: .body(0..<3), consumed: 3),
                HTTP1ParseResult(event: .end, consumed: 0),
                HTTP1ParseResult(event: .head, consumed: 28),
                HTTP1ParseResult(event: .end, consumed: 0),
                HTTP1ParseResult(event: .needMore, consumed: 0),
            ])
        #expect(offset == raw.count - 6)
    }

    @Test("ten pipelined requests of every framing come out in order, fed every way")
    func manyRequests() {
        var raw = ""
        for i in 0..<10 {
            switch i % 3 {
            case 0: raw += "GET /r\(i) HTTP/1.1\r\nHost: x\r\n\r\n"
            case 1: raw += "POST /r\(i) HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n\(i)\(i)"
            default: raw += "POST /r\(i) HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;e=1\r\n\(i)\r\n0\r\nT: v\r\n\r\n"
            }
        }
        let (whole, mismatches) = SplitFeeder.allWays(bytes(raw))
        #expect(whole.requests.map(\.path) == (0..<10).map { "/r\($0)" })
        #expect(whole.requests[1].bodyText == "11" && whole.requests[2].bodyText == "2")
        #expect(mismatches.isEmpty, "\(mismatches.prefix(1))")
    }

    @Test("a smuggled request inside a refused one is never parsed")
    func smuggledRequestNotParsed() {
        let raw = bytes(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 47\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: x\r\n\r\n")
        let t = SplitFeeder.whole(raw)
        #expect(t.requests.isEmpty && t.error?.kind == .contentLengthWithTransferEncoding)
    }

    @Test("the parser resets between requests: a chunked request after a keep-alive one keeps nothing")
    func resetBetweenRequests() {
        let raw = bytes(
            "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nExpect: 100-continue\r\n\r\nPOST / HTTP/1.1\r\nHost: y\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        )
        let t = SplitFeeder.whole(raw)
        #expect(t.requests.count == 2)
        #expect(t.requests[1].keepAlive && !t.requests[1].expectsContinue && t.requests[1].host == "y")
        #expect(t.requests[0].expectsContinue == false)  // no body: nothing to continue
    }

    @Test("isIdle is true only before the first byte of a request")
    func idle() {
        var parser = HTTP1RequestParser()
        #expect(parser.isIdle)
        let raw = bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        raw.withUnsafeBytes { buffer in
            #expect(parser.parse(UnsafeRawBufferPointer(rebasing: buffer[0..<3])).event == .needMore)
            #expect(!parser.isIdle)
            #expect(parser.parse(buffer).event == .head)
            #expect(!parser.isIdle)
            #expect(parser.parse(UnsafeRawBufferPointer(rebasing: buffer[raw.count...])).event == .end)
            #expect(parser.isIdle)
        }
    }
}

import PayhookHTTP1
import Testing

/// `limitBody(toBytes:)`: a route's lower body limit, applied once the head is in, at N and N+1.
@Suite struct HTTP1BodyLimitTests {
    /// Parses `text` whole, lowering the limit to `max` at the head; the error, or nil with the body.
    func run(_ text: String, max: Int) -> (error: HTTP1ParseError?, body: Int) {
        var parser = HTTP1RequestParser()
        let buffer = Array(text.utf8)
        var offset = 0
        var body = 0
        while true {
            let result = buffer.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            offset += result.consumed
            switch result.event {
            case .head: if let error = parser.limitBody(toBytes: max) { return (error, body) }
            case .body(let range): body += range.count
            case .end: return (nil, body)
            case .error(let error): return (error, body)
            case .needMore: return (nil, -1)
            }
        }
    }

    func fixed(_ n: Int) -> String {
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \(n)\r\n\r\n" + String(repeating: "a", count: n)
    }

    func chunked(_ sizes: [Int]) -> String {
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + sizes.map { String($0, radix: 16) + "\r\n" + String(repeating: "a", count: $0) + "\r\n" }.joined() + "0\r\n\r\n"
    }

    @Test("Content-Length: 100 passes under a limit of 100; 101 fails at the head with 413, before any body byte")
    func contentLength() {
        #expect(run(fixed(100), max: 100).error == nil && run(fixed(100), max: 100).body == 100)
        let over = run(fixed(101), max: 100)
        #expect(over.error?.kind == .bodyTooLarge && over.error?.status == 413 && over.body == 0)
    }

    @Test("chunked: 60+40 bytes pass under 100; 60+41 fail at the second chunk-size line")
    func chunkedTotal() {
        #expect(run(chunked([60, 40]), max: 100).body == 100)
        let over = run(chunked([60, 41]), max: 100)
        #expect(over.error?.kind == .bodyTooLarge && over.body == 60)
    }

    @Test("the lower limit holds for one request only; the next starts from the server's")
    func resets() {
        var parser = HTTP1RequestParser()
        let buffer = Array((fixed(10) + fixed(200)).utf8)
        var offset = 0
        var heads = 0
        var ends = 0
        for _ in 0..<100 where ends < 2 {
            let result = buffer.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            offset += result.consumed
            if case .head = result.event {
                heads += 1
                if heads == 1 { #expect(parser.limitBody(toBytes: 10) == nil) }
            }
            if case .end = result.event { ends += 1 }
            if case .error = result.event { break }
            if case .needMore = result.event { break }
        }
        #expect(ends == 2 && parser.maxBodyBytes == HTTP1Limits().maxBodyBytes)
    }
}

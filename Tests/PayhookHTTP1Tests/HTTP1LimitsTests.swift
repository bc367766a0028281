import PayhookHTTP1
import Testing

/// Every limit of `HTTP1Limits` at N (accepted) and N+1 (its specific error), fed every way.
@Suite struct HTTP1LimitsTests {
    static let small = HTTP1Limits(
        maxRequestLineBytes: 64, maxMethodBytes: 8, maxHeaderBytes: 100, maxHeaderCount: 4, maxBodyBytes: 32,
        maxChunkExtensionBytes: 10, maxTrailerBytes: 40)

    static func a(_ n: Int) -> String { String(repeating: "a", count: n) }

    /// Expects `ok` to parse into one request and `over` to fail with `kind`, every way.
    static func expectBoundary(
        ok: String, over: String, _ kind: HTTP1ParseError.Kind, status: Int, limits: HTTP1Limits = small,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let good = SplitFeeder.allWays(bytes(ok), limits: limits)
        #expect(good.whole.error == nil && good.whole.requests.count == 1, "\(String(describing: good.whole.error))", sourceLocation: sourceLocation)
        #expect(good.mismatches.isEmpty, "\(good.mismatches.prefix(1))", sourceLocation: sourceLocation)
        let bad = SplitFeeder.allWays(bytes(over), limits: limits)
        #expect(bad.whole.error?.kind == kind, "\(String(describing: bad.whole.error))", sourceLocation: sourceLocation)
        #expect(bad.whole.error?.status == status, sourceLocation: sourceLocation)
        #expect(bad.mismatches.isEmpty, "\(bad.mismatches.prefix(1))", sourceLocation: sourceLocation)
    }

    @Test("request line: 64 bytes pass, 65 bytes are 414")
    func requestLine() {
        let line = { (n: Int) in "GET /\(Self.a(n - 14)) HTTP/1.1\r\nHost: x\r\n\r\n" }
        Self.expectBoundary(ok: line(64), over: line(65), .requestLineTooLong, status: 414)
    }

    @Test("request line with no end: 414 as soon as it passes the limit, before any LF")
    func requestLineUnterminated() {
        let t = SplitFeeder.whole(bytes("GET /" + Self.a(60)), limits: Self.small)
        #expect(t.error?.kind == .requestLineTooLong && t.error?.offset == 64)
        let atLimit = SplitFeeder.whole(bytes("GET /" + Self.a(59) + "\r"), limits: Self.small)
        #expect(atLimit.error == nil)
    }

    @Test("method: 8 bytes pass, 9 bytes are 400")
    func method() {
        let request = { (m: String) in "\(m) / HTTP/1.1\r\nHost: x\r\n\r\n" }
        Self.expectBoundary(ok: request("ABCDEFGH"), over: request("ABCDEFGHI"), .methodTooLong, status: 400)
    }

    @Test("header section: 100 bytes pass, 101 bytes are 431")
    func headerBytes() {
        // "Host: x\r\n" is 9 bytes, "X: v\r\n" is 5 bytes plus the value.
        let request = { (n: Int) in "GET / HTTP/1.1\r\nHost: x\r\nX: \(Self.a(n - 14))\r\n\r\n" }
        Self.expectBoundary(ok: request(100), over: request(101), .headerTooLarge, status: 431)
    }

    @Test("header count: 4 fields pass, 5 fields are 431")
    func headerCount() {
        let request = { (n: Int) in "GET / HTTP/1.1\r\nHost: x\r\n" + (1..<n).map { "X\($0): v\r\n" }.joined() + "\r\n" }
        Self.expectBoundary(ok: request(4), over: request(5), .tooManyHeaders, status: 431)
    }

    @Test("Content-Length: 32 passes, 33 is 413")
    func contentLength() {
        let request = { (n: Int) in "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \(n)\r\n\r\n\(Self.a(n))" }
        Self.expectBoundary(ok: request(32), over: request(33), .bodyTooLarge, status: 413)
    }

    @Test("chunked total: 32 bytes pass, 33 are 413")
    func chunkedTotal() {
        let request = { (last: Int) in
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n\(Self.a(16))\r\n"
                + "\(String(last, radix: 16))\r\n\(Self.a(last))\r\n0\r\n\r\n"
        }
        Self.expectBoundary(ok: request(16), over: request(17), .bodyTooLarge, status: 413)
    }

    @Test("chunk extension: 10 bytes pass, 11 are 400")
    func chunkExtension() {
        let request = { (n: Int) in
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;\(Self.a(n - 1))\r\nz\r\n0\r\n\r\n"
        }
        Self.expectBoundary(ok: request(10), over: request(11), .chunkExtensionTooLong, status: 400)
    }

    @Test("trailer section: 40 bytes pass, 41 are 431")
    func trailers() {
        let request = { (n: Int) in
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\nX: \(Self.a(n - 5))\r\n\r\n"
        }
        Self.expectBoundary(ok: request(40), over: request(41), .trailersTooLarge, status: 431)
    }

    @Test("defaults match the configuration defaults of Config.Server")
    func defaults() {
        let limits = HTTP1Limits()
        #expect(limits.maxRequestLineBytes == 8192 && limits.maxHeaderBytes == 16_384)
        #expect(limits.maxHeaderCount == 64 && limits.maxBodyBytes == 1_048_576)
        #expect(limits.maxMethodBytes == 32 && limits.maxChunkExtensionBytes == 256 && limits.maxTrailerBytes == 4096)
    }

    @Test("default request line limit: 8192 bytes pass, 8193 are 414")
    func defaultRequestLine() {
        let line = { (n: Int) in bytes("GET /\(Self.a(n - 14)) HTTP/1.1\r\nHost: x\r\n\r\n") }
        #expect(SplitFeeder.whole(line(8192)).requests.count == 1)
        #expect(SplitFeeder.whole(line(8193)).error?.kind == .requestLineTooLong)
    }
}

import PayhookHTTP1
import Testing

@Suite struct HTTP1ResponseParserRejectionTests {
    func kind(_ text: String, limits: HTTP1ResponseLimits = HTTP1ResponseLimits()) -> HTTP1ResponseError.Kind? {
        let (whole, mismatches) = ResponseFeeder.allWays(bytes(text), limits: limits)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(2))")
        return whole.error?.kind
    }

    static let statusLines: [(String, HTTP1ResponseError.Kind)] = [
        ("HTTP/1.1 200\r\n", .invalidStatusLine),
        ("HTTP/1.1 20 OK\r\n", .invalidStatusLine),
        ("HTTP/1.1 2000 OK\r\n", .invalidStatusLine),
        ("HTTP/1.1  200 OK\r\n", .invalidStatusLine),
        ("http/1.1 200 OK\r\n", .invalidStatusLine),
        ("HTTP/2.0 200 OK\r\n", .unsupportedVersion),
        ("HTTP/1.2 200 OK\r\n", .unsupportedVersion),
        ("HTTP/1.1 099 OK\r\n", .invalidStatusCode),
        ("HTTP/1.1 600 OK\r\n", .invalidStatusCode),
        ("HTTP/1.1 200 O\u{7F}K\r\n", .invalidStatusLine),
        ("HTTP/1.1 200 OK\n", .bareLF),
        ("HTTP/1.1 200 OK\rX", .bareCR),
        ("SSH-2.0-OpenSSH_9.6\r\n", .invalidStatusLine),
        ("\r\nHTTP/1.1 200 OK\r\n", .invalidStatusLine),
    ]

    @Test("invalid status lines are refused with a precise kind", arguments: statusLines)
    func statusLine(_ text: String, _ expected: HTTP1ResponseError.Kind) {
        #expect(kind(text) == expected)
    }

    static let fields: [(String, HTTP1ResponseError.Kind)] = [
        (" X: 1\r\n", .obsFold),
        ("X : 1\r\n", .whitespaceBeforeColon),
        ("X 1\r\n", .missingColon),
        (": 1\r\n", .invalidFieldName),
        ("X(: 1\r\n", .invalidFieldName),
        ("X: a\u{0}b\r\n", .invalidFieldValue),
        ("Content-Length: 1\r\nContent-Length: 1\r\n", .duplicateContentLength),
        ("Content-Length: -1\r\n", .invalidContentLength),
        ("Content-Length: 1,1\r\n", .invalidContentLength),
        ("Content-Length: 99999999999999999999\r\n", .invalidContentLength),
        ("Transfer-Encoding: gzip, chunked\r\n", .unsupportedTransferCoding),
        ("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", .unsupportedTransferCoding),
        ("Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", .contentLengthWithTransferEncoding),
    ]

    @Test("malformed or conflicting fields are refused", arguments: fields)
    func field(_ lines: String, _ expected: HTTP1ResponseError.Kind) {
        #expect(kind("HTTP/1.1 200 OK\r\n" + lines + "\r\n") == expected)
    }

    static let chunks: [(String, HTTP1ResponseError.Kind)] = [
        ("zz\r\n", .invalidChunkSize),
        ("\r\n", .invalidChunkSize),
        ("-1\r\n", .invalidChunkSize),
        ("10000000000000000\r\n", .chunkSizeOverflow),
        ("5x\r\n", .invalidChunkSize),
        ("5 x\r\n", .invalidChunkExtension),
        ("5;\u{1}\r\n", .invalidChunkExtension),
        ("3\r\nabcd\r\n", .missingChunkDataCRLF),
        ("3\r\nabc\n", .missingChunkDataCRLF),
        ("0\r\n X: 1\r\n\r\n", .obsFold),
        ("0\r\nX\r\n\r\n", .missingColon),
    ]

    @Test("chunked garbage is refused", arguments: chunks)
    func chunked(_ body: String, _ expected: HTTP1ResponseError.Kind) {
        #expect(kind("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body) == expected)
    }

    @Test("status line: max_status_line_bytes passes, one more fails")
    func statusLineLimit() {
        let line = "HTTP/1.1 200 " + String(repeating: "k", count: 20)
        let limits = HTTP1ResponseLimits(maxStatusLineBytes: line.utf8.count)
        #expect(kind(line + "\r\nContent-Length: 0\r\n\r\n", limits: limits) == nil)
        #expect(kind(line + "k\r\nContent-Length: 0\r\n\r\n", limits: limits) == .statusLineTooLong)
        // Read in one piece (lines are appended in runs): the error names the first byte past the limit.
        var parser = HTTP1ResponseParser(limits: limits)
        let r = bytes(line + "kk\r\n").withUnsafeBytes { parser.parse($0) }
        #expect(r.event == .error(.init(.statusLineTooLong, offset: line.utf8.count)))
    }

    @Test("header flood: max_header_count fields pass, one more fails; so do max_header_bytes")
    func headerLimits() {
        let ten = String(repeating: "X-Flood: 1\r\n", count: 10)  // 120 bytes
        #expect(kind("HTTP/1.1 200 OK\r\n" + ten + "\r\n", limits: .init(maxHeaderCount: 10)) == nil)
        #expect(kind("HTTP/1.1 200 OK\r\n" + ten + "X: 1\r\n\r\n", limits: .init(maxHeaderCount: 10)) == .tooManyHeaders)
        #expect(kind("HTTP/1.1 200 OK\r\n" + ten + "\r\n", limits: .init(maxHeaderBytes: 120)) == nil)
        #expect(kind("HTTP/1.1 200 OK\r\n" + ten + "\r\n", limits: .init(maxHeaderBytes: 119)) == .headerTooLarge)
        let flood = "HTTP/1.1 200 OK\r\n" + String(repeating: "X-Flood: 1\r\n", count: 100_000)
        var parser = HTTP1ResponseParser()
        let r = bytes(flood).withUnsafeBytes { parser.parse($0) }
        #expect(r.event == .error(.init(.tooManyHeaders, offset: 17 + 64 * 12 + 11)))
    }

    @Test("kept body, interim responses, chunk extensions and trailers: N passes, N+1 fails or is cut")
    func otherLimits() {
        let t = ResponseFeeder.allWays(bytes("HTTP/1.1 500 E\r\nContent-Length: 6\r\n\r\nabcdef"), limits: .init(maxKeptBodyBytes: 5)).whole
        #expect(t.responses.first?.body == bytes("abcde") && t.responses.first?.bodyBytes == 6)
        let two = String(repeating: "HTTP/1.1 100 Continue\r\n\r\n", count: 2)
        #expect(kind(two + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", limits: .init(maxInterimResponses: 2)) == nil)
        #expect(kind(two + "HTTP/1.1 100 Continue\r\n\r\n", limits: .init(maxInterimResponses: 2)) == .tooManyInterimResponses)
        let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(kind(chunked + "1;abcd\r\nx\r\n0\r\n\r\n", limits: .init(maxChunkExtensionBytes: 5)) == nil)
        #expect(kind(chunked + "1;abcde\r\nx\r\n0\r\n\r\n", limits: .init(maxChunkExtensionBytes: 5)) == .chunkExtensionTooLong)
        #expect(kind(chunked + "0\r\nX: 12\r\n\r\n", limits: .init(maxTrailerBytes: 7)) == nil)
        #expect(kind(chunked + "0\r\nX: 123\r\n\r\n", limits: .init(maxTrailerBytes: 7)) == .trailersTooLarge)
    }

    @Test("random bytes after a valid status line never crash the parser and end in a defined event")
    func randomGarbage() {
        var state: UInt64 = 12_345
        for _ in 0..<3_000 {
            var input = bytes("HTTP/1.1 200 OK\r\n")
            for _ in 0..<Int(state % 200) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let pick = Array("\r\n:; \t0aZ-\u{7F}".utf8) + [0, 0x80, 0xFF]
                input.append(state >> 60 < 8 ? pick[Int(state >> 33) % pick.count] : UInt8(truncatingIfNeeded: state >> 40))
            }
            _ = ResponseFeeder.run(input, pieces: [0..<input.count], limits: HTTP1ResponseLimits(), close: true)
        }
    }
}

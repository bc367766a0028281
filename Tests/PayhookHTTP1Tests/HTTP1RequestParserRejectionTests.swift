import PayhookHTTP1
import Testing

/// Every rejection class with its exact error and status, the same whole, byte by byte and
/// split at every offset.
@Suite struct HTTP1RequestParserRejectionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var raw: String
        var kind: HTTP1ParseError.Kind
        var status: Int
        var testDescription: String { "\(kind) \(raw.debugDescription.prefix(60))" }
        init(_ raw: String, _ kind: HTTP1ParseError.Kind, _ status: Int) {
            self.raw = raw
            self.kind = kind
            self.status = status
        }
    }

    static let post = "POST /hooks/a HTTP/1.1\r\nHost: x\r\n"
    static let chunked = post + "Transfer-Encoding: chunked\r\n\r\n"

    static let framing: [Case] = [
        Case(post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", .contentLengthWithTransferEncoding, 400),
        Case(post + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", .contentLengthWithTransferEncoding, 400),
        Case(post + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", .duplicateContentLength, 400),
        Case(post + "Content-Length: 5\r\nContent-Length: 10\r\n\r\nhello", .duplicateContentLength, 400),
        Case(post + "Content-Length: 5, 5\r\n\r\nhello", .invalidContentLength, 400),
        Case(post + "Content-Length: +5\r\n\r\nhello", .invalidContentLength, 400),
        Case(post + "Content-Length: -1\r\n\r\n", .invalidContentLength, 400),
        Case(post + "Content-Length: 0x5\r\n\r\nhello", .invalidContentLength, 400),
        Case(post + "Content-Length: 005\r\n\r\nhello", .invalidContentLength, 400),
        Case(post + "Content-Length: \r\n\r\n", .invalidContentLength, 400),
        Case(post + "Content-Length: 5 \r\n\r\nhello", .invalidContentLength, 400),
        Case(post + "Content-Length:  5\r\n\r\nhello", .invalidContentLength, 400),
        Case(post + "Content-Length: 1_0\r\n\r\nhelloworld", .invalidContentLength, 400),
        Case(post + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", .chunkedNotLast, 400),
        Case(post + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", .chunkedNotLast, 400),
        Case(post + "Transfer-Encoding: gzip\r\n\r\n", .unsupportedTransferCoding, 501),
        Case(post + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", .unsupportedTransferCoding, 501),
        Case(post + "Transfer-Encoding: identity\r\n\r\n", .unsupportedTransferCoding, 501),
        Case(post + "Transfer-Encoding: \r\n\r\n", .invalidTransferEncoding, 400),
        Case(post + "Transfer-Encoding: , chunked\r\n\r\n", .invalidTransferEncoding, 400),
        Case(post + "Transfer-Encoding: chunked;q=1\r\n\r\n", .invalidTransferEncoding, 400),
        Case(post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", .duplicateTransferEncoding, 400),
        Case("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", .transferEncodingInHTTP10, 400),
        Case("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", .unexpectedBody, 400),
        Case("HEAD / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", .unexpectedBody, 400),
        Case(post + "Content-Type: a/b\r\nContent-Type: c/d\r\n\r\n", .duplicateContentType, 400),
        Case(post + "Expect: 200-ok\r\nContent-Length: 1\r\n\r\nx", .unsupportedExpectation, 417),
    ]

    static let syntax: [Case] = [
        Case("GET / HTTP/1.1\nHost: x\r\n\r\n", .bareLF, 400),
        Case("GET / HTTP/1.1\r\nHost: x\n\r\n", .bareLF, 400),
        Case("GET / HTTP/1.1\r\nHost: x\r\n\n", .bareLF, 400),
        Case("GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n", .bareCR, 400),
        Case("GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", .obsFold, 400),
        Case("GET / HTTP/1.1\r\n Host: x\r\n\r\n", .whitespaceBeforeFirstField, 400),
        Case("GET / HTTP/1.1\r\nHost : x\r\n\r\n", .whitespaceBeforeColon, 400),
        Case("GET / HTTP/1.1\r\nHost\t: x\r\n\r\n", .whitespaceBeforeColon, 400),
        Case("GET / HTTP/1.1\r\nHost: x\r\nBad[Name: v\r\n\r\n", .invalidFieldName, 400),
        Case("GET / HTTP/1.1\r\nHost: x\r\nX-T\u{EB}st: v\r\n\r\n", .invalidFieldName, 400),
        Case("GET / HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n", .emptyFieldName, 400),
        Case("GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", .missingColon, 400),
        Case("GET / HTTP/1.1\r\nHost: x\r\nX: a\u{0}b\r\n\r\n", .invalidFieldValue, 400),
        Case("GET / HTTP/1.1\r\nHost: x\r\nX: a\u{7F}\r\n\r\n", .invalidFieldValue, 400),
        Case("G(T / HTTP/1.1\r\nHost: x\r\n\r\n", .invalidMethod, 400),
        Case("GET\t/ HTTP/1.1\r\nHost: x\r\n\r\n", .invalidMethod, 400),
        Case(" GET / HTTP/1.1\r\nHost: x\r\n\r\n", .invalidMethod, 400),
        Case("\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", .leadingEmptyLine, 400),
        Case("GET  / HTTP/1.1\r\nHost: x\r\n\r\n", .invalidRequestLine, 400),
        Case("GET /\r\n", .invalidRequestLine, 400),
        Case("GET HTTP/1.1\r\nHost: x\r\n\r\n", .invalidRequestLine, 400),
        Case("GET / HTTP/1.1 \r\nHost: x\r\n\r\n", .invalidVersion, 400),
        Case("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", .invalidVersion, 400),
        Case("GET /a\u{0}b HTTP/1.1\r\nHost: x\r\n\r\n", .invalidTarget, 400),
        Case("GET /caf\u{E9} HTTP/1.1\r\nHost: x\r\n\r\n", .invalidTarget, 400),
        Case("GET /a\\b HTTP/1.1\r\nHost: x\r\n\r\n", .invalidTarget, 400),
        Case("GET /a%00 HTTP/1.1\r\nHost: x\r\n\r\n", .invalidTarget, 400),
        Case("GET /a%0d%0aX: y HTTP/1.1\r\nHost: x\r\n\r\n", .invalidVersion, 400),
        Case("GET /a%0d%0a HTTP/1.1\r\nHost: x\r\n\r\n", .invalidTarget, 400),
        Case("GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n", .invalidTarget, 400),
        Case("GET /a%4 HTTP/1.1\r\nHost: x\r\n\r\n", .invalidTarget, 400),
        Case("GET /a#frag HTTP/1.1\r\nHost: x\r\n\r\n", .fragmentInTarget, 400),
        Case("CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n", .invalidTarget, 400),
        Case("GET ftp://x/ HTTP/1.1\r\nHost: x\r\n\r\n", .invalidTarget, 400),
        Case("GET http://u@x/ HTTP/1.1\r\nHost: x\r\n\r\n", .invalidTarget, 400),
        Case("GET * HTTP/1.1\r\nHost: x\r\n\r\n", .asteriskFormNotOptions, 400),
        Case("GET / http/1.1\r\nHost: x\r\n\r\n", .invalidVersion, 400),
        Case("GET / HTTP/1\r\nHost: x\r\n\r\n", .invalidVersion, 400),
        Case("GET / HTTP/01.01\r\nHost: x\r\n\r\n", .invalidVersion, 400),
        // Near misses of the one-pass request line (`plainRequestLine`), which leaves them to the line-by-line path.
        Case("GET / HTTP/1.1\rHost: x\r\n\r\n", .invalidVersion, 400),
        Case("GET / HTTP/1.1 \r\nHost: x\r\n\r\n", .invalidVersion, 400),
        Case("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", .invalidVersion, 400),
        Case("GET  / HTTP/1.1\r\nHost: x\r\n\r\n", .invalidRequestLine, 400),
    ]

    static let hostAndVersion: [Case] = [
        Case("GET / HTTP/1.1\r\n\r\n", .missingHost, 400),
        Case("GET / HTTP/1.1\r\nHosu: x\r\nGost: x\r\n\r\n", .missingHost, 400),
        Case("GET / HTTP/1.1\r\nHost: x\r\nHost: x\r\n\r\n", .duplicateHost, 400),
        Case("GET / HTTP/1.1\r\nHost: \r\n\r\n", .invalidHost, 400),
        Case("GET / HTTP/1.1\r\nHost: u@x\r\n\r\n", .invalidHost, 400),
        Case("GET / HTTP/1.1\r\nHost: x/p\r\n\r\n", .invalidHost, 400),
        Case("GET / HTTP/1.1\r\nHost: x, y\r\n\r\n", .invalidHost, 400),
        Case("GET / HTTP/1.1\r\nHost: x:8a\r\n\r\n", .invalidHost, 400),
        Case("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", .invalidHost, 400),
        Case("GET http://a/ HTTP/1.1\r\nHost: b\r\n\r\n", .hostMismatch, 400),
        Case("GET http://a/ HTTP/1.1\r\n\r\n", .missingHost, 400),
        Case("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", .unsupportedVersion, 505),
        Case("GET / HTTP/0.9\r\n\r\n", .unsupportedVersion, 505),
        Case("GET / HTTP/1.2\r\nHost: x\r\n\r\n", .unsupportedVersion, 505),
        Case("GET / HTTP/3\r\nHost: x\r\n\r\n", .unsupportedVersion, 505),
        Case("GET / HTTP/3.0\r\nHost: x\r\n\r\n", .unsupportedVersion, 505),
        Case("GET / HTTP/9.9\r\nHost: x\r\n\r\n", .unsupportedVersion, 505),
    ]

    static let chunks: [Case] = [
        Case(chunked + "0x5\r\nhello\r\n0\r\n\r\n", .invalidChunkSize, 400),
        Case(chunked + "+5\r\nhello\r\n0\r\n\r\n", .invalidChunkSize, 400),
        Case(chunked + "-1\r\nhello\r\n0\r\n\r\n", .invalidChunkSize, 400),
        Case(chunked + " 5\r\nhello\r\n0\r\n\r\n", .invalidChunkSize, 400),
        Case(chunked + "5 \r\nhello\r\n0\r\n\r\n", .invalidChunkSize, 400),
        Case(chunked + "1_0\r\nhello world!!!!!\r\n0\r\n\r\n", .invalidChunkSize, 400),
        Case(chunked + "\r\nhello\r\n0\r\n\r\n", .invalidChunkSize, 400),
        Case(chunked + "5\nhello\r\n0\r\n\r\n", .invalidChunkSize, 400),
        Case(chunked + "5\rhello\r\n0\r\n\r\n", .bareCR, 400),
        Case(chunked + "FFFFFFFFFFFFFFFF0\r\nhello\r\n0\r\n\r\n", .chunkSizeOverflow, 400),
        Case(chunked + "5;\r\nhello\r\n0\r\n\r\n", .bareCR, 400),
        Case(chunked + "5;bad[=x\r\nhello\r\n0\r\n\r\n", .invalidChunkExtension, 400),
        Case(chunked + "5;a=\"x\u{0}\"\r\nhello\r\n0\r\n\r\n", .invalidChunkExtension, 400),
        Case(chunked + "5;a\rX\r\nhello\r\n0\r\n\r\n", .bareCR, 400),
        Case(chunked + "5;a=b c\r\nhello\r\n0\r\n\r\n", .invalidChunkExtension, 400),
        Case(chunked + "5\r\nhello0\r\n\r\n", .missingChunkDataCRLF, 400),
        Case(chunked + "5\r\nhello!!\r\n0\r\n\r\n", .missingChunkDataCRLF, 400),
        Case(chunked + "5\r\nhello\n0\r\n\r\n", .missingChunkDataCRLF, 400),
        Case(chunked + "5\r\nhello\r\n0\r\n\n", .bareLF, 400),
        Case(chunked + "5\r\nhello\r\n0\r\nContent-Length: 5\r\n\r\n", .forbiddenTrailerField, 400),
        Case(chunked + "5\r\nhello\r\n0\r\nHost: evil\r\n\r\n", .forbiddenTrailerField, 400),
        Case(chunked + "5\r\nhello\r\n0\r\nX : y\r\n\r\n", .whitespaceBeforeColon, 400),
        Case(chunked + "5\r\nhello\r\n0\r\nX: y\r\n z\r\n\r\n", .obsFold, 400),
    ]

    @Test("framing ambiguities are refused", arguments: framing)
    func framingCases(_ c: Case) { Self.expectRejected(c) }

    @Test("malformed request lines and field lines are refused", arguments: syntax)
    func syntaxCases(_ c: Case) { Self.expectRejected(c) }

    @Test("Host rules and unsupported versions", arguments: hostAndVersion)
    func hostCases(_ c: Case) { Self.expectRejected(c) }

    @Test("bad chunk sizes, extensions, data terminators and trailers", arguments: chunks)
    func chunkCases(_ c: Case) { Self.expectRejected(c) }

    static func expectRejected(_ c: Case, sourceLocation: SourceLocation = #_sourceLocation) {
        let (whole, mismatches) = SplitFeeder.allWays(bytes(c.raw))
        #expect(whole.error?.kind == c.kind, "\(String(describing: whole.error))", sourceLocation: sourceLocation)
        #expect(whole.error?.status == c.status, sourceLocation: sourceLocation)
        #expect(whole.requests.isEmpty, sourceLocation: sourceLocation)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(1))", sourceLocation: sourceLocation)
    }
}

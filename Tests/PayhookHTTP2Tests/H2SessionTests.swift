import CNGHTTP2
import Testing

@testable import PayhookHTTP2

/// The framer alone, driven by hand-made client frames; answers are decoded with libnghttp2's
/// HPACK inflater (the test's only use of the C library: the session under test encodes).
@Suite struct H2SessionTests {
    @Test("a GET's head is moved out whole: method, path, authority, regular fields; a second take is empty")
    func headIsTaken() throws {
        let s = H2Session(limits: H2Limits())
        let events = try #require(try? s.receive(H2Client.request(stream: 1, method: "GET", path: "/v1/x"), nowMs: 0).get())
        #expect(events == [.head(stream: 1), .end(stream: 1)])
        let head = try #require(s.takeHead(of: 1))
        #expect(head.method == "GET" && head.path == "/v1/x" && head.authority == "a.test")
        #expect(head.fields.map { "\($0.name)=\($0.value)" } == ["user-agent=t", "content-length=0"])
        #expect(head.contentLength == 0)
        #expect(s.takeHead(of: 1)?.fields.isEmpty == true)
    }

    @Test("a request without body ends with its HEADERS; one whose DATA came in the same read has a body to take")
    func noBodyOnlyWhenHeadersEnd() throws {
        let s = H2Session(limits: H2Limits())
        let body = Array("{\"id\":1}".utf8)
        var bytes = H2Client.request(stream: 1, method: "GET", path: "/")
        bytes += H2Client.headers(stream: 3, method: "POST", path: "/hooks/x", bodyBytes: body.count) + H2Client.data(stream: 3, body)
        let events = try #require(try? s.receive(bytes, nowMs: 0).get())
        #expect(events == [.head(stream: 1), .end(stream: 1), .head(stream: 3), .end(stream: 3)])
        #expect(s.hasNoBody(1) && !s.hasNoBody(3))
        #expect(s.takeBody(of: 3) == body && s.bufferedBodyBytes == 0)
    }

    @Test("answer fields: names lowercased, connection-specific ones left out, date and content-length added")
    func answerFields() throws {
        let s = H2Session(limits: H2Limits())
        _ = s.receive(H2Client.request(stream: 1, method: "GET", path: "/"), nowMs: 0)
        let fields = [
            ("Content-Type", "application/json"), ("Connection", "close"), ("Proxy-Connection", "x"), ("Keep-Alive", "1"),
            ("Transfer-Encoding", "chunked"), ("Upgrade", "h2c"), ("X-Request-ID", "7"),
        ]
        s.respond(1, status: 201, date: "Mon, 30 Nov 2026 08:00:00 GMT", fields: fields, body: Array("{\"ok\":true}".utf8))
        let answer = try H2Client.decode(s.drain(), stream: 1)
        #expect(
            answer.fields == [
                ":status=201", "date=Mon, 30 Nov 2026 08:00:00 GMT", "content-type=application/json", "x-request-id=7",
                "content-length=11",
            ])
        #expect(answer.body == "{\"ok\":true}" && answer.ended)
    }

    @Test("an answer to HEAD: content-length of the body, no DATA, the HEADERS frame ends the stream")
    func headAnswer() throws {
        let s = H2Session(limits: H2Limits())
        _ = s.receive(H2Client.request(stream: 1, method: "HEAD", path: "/"), nowMs: 0)
        s.respond(1, status: 200, date: "", fields: [], body: Array(repeating: 0x41, count: 12_345), omitBody: true)
        let answer = try H2Client.decode(s.drain(), stream: 1)
        #expect(answer.fields == [":status=200", "content-length=12345"])
        #expect(answer.body.isEmpty && answer.ended && answer.dataFrames == 0)
    }

    @Test("16 streams in one read: 16 heads; their 16 answers leave in one send, bodies larger than a frame whole")
    func manyStreamsOneTurn() throws {
        let s = H2Session(limits: H2Limits())
        var bytes = H2Client.preface
        for i in 0..<16 { bytes += H2Client.headers(stream: Int32(1 + 2 * i), method: "GET", path: "/p\(i)") }
        let events = try #require(try? s.receive(bytes, nowMs: 0).get())
        #expect(events.filter { if case .head = $0 { true } else { false } }.count == 16)
        let body = (0..<40_000).map { UInt8(truncatingIfNeeded: $0) }
        for i in 0..<16 { s.respond(Int32(1 + 2 * i), status: 200, date: "", fields: [], body: i == 15 ? body : [0x78]) }
        let out = s.drain()
        for i in 0..<15 { #expect(try H2Client.decode(out, stream: Int32(1 + 2 * i)).body == "x") }
        let last = try H2Client.decode(out, stream: 31)
        #expect(last.bodyBytes == body && last.ended)
    }
}

extension H2Session {
    /// Everything the session has to send now.
    func drain() -> [UInt8] {
        var out: [UInt8] = []
        send(into: &out, maxBytes: .max)
        return out
    }

    func receive(_ bytes: [UInt8], nowMs: Int64) -> Result<[H2Event], H2Failure> {
        bytes.withUnsafeBytes { receive($0, nowMs: nowMs) }
    }
}

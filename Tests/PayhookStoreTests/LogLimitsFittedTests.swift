import PayhookLog
import PayhookStore
import Testing

@Suite struct LogLimitsFittedTests {
    var limits: LogLimits {
        var l = LogLimits()
        l.maxFieldBytes = 10
        l.maxHeaderCount = 2
        l.maxBodyBytes = 4
        return l
    }

    @Test("fitted: at most maxHeaderCount headers, strings cut to maxFieldBytes, body cut to maxBodyBytes and said")
    func fitted() throws {
        let request = StoredRequest(
            peerAddress: "127.0.0.1", clientAddress: "2001:db8::1234:5678", method: "POST", path: "/hooks/long-source",
            headers: [HeaderField("User-Agent", "0123456789AB"), HeaderField("X-Real-IP", "1.2.3.4"), HeaderField("X-Forwarded-For", "5.6.7.8")],
            body: Array("12345".utf8), bodyIsJSON: false)
        let (fit, bodyCut) = limits.fitted(request)
        #expect(bodyCut && fit.body == Array("1234".utf8))
        #expect(fit.headers == [HeaderField("User-Agent", "0123456789"), HeaderField("X-Real-IP", "1.2.3.4")])
        #expect(fit.clientAddress == "2001:db8::" && fit.path == "/hooks/lon")
        #expect(throws: Never.self) { try limits.check(fit) }
        let small = StoredRequest(peerAddress: "p", clientAddress: "c", path: "/h", headers: [], body: Array("1234".utf8), bodyIsJSON: true)
        #expect(limits.fitted(small).request == small && !limits.fitted(small).bodyCut)
    }
}

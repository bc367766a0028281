import PayhookCore
import PayhookLog
import PayhookProviders
import Testing

@testable import PayhookDaemon

@Suite struct StorableRecordTests {
    let source = ProviderSource(name: "s", provider: .nonstopay, kind: "payin", scheme: .hmacSHA256Hex)
    var limits: LogLimits {
        var l = LogLimits()
        l.fieldBytesMax = 8
        l.headerCountMax = 2
        return l
    }

    @Test("cut keeps at most N bytes of UTF-8 at a character boundary (N fits, N+1 is cut)")
    func cut() {
        #expect(StorableRecord.cut("abcdefgh", 8) == "abcdefgh")
        #expect(StorableRecord.cut("abcdefghi", 8) == "abcdefgh")
        #expect(StorableRecord.cut("aaaaaaaé", 8) == "aaaaaaa")  // é is 2 bytes: it would end at byte 9
    }

    @Test("kept headers: only the audit ones, at most headerCountMax, values cut to fieldBytesMax")
    func headers() {
        var limits = self.limits
        limits.fieldBytesMax = 10
        let h = StorableRecord.headers(
            [("User-Agent", "0123456789AB"), ("Cookie", "x"), ("X-Real-IP", "1.2.3.4"), ("X-Forwarded-For", "5.6.7.8")],
            kept: ["user-agent", "x-real-ip", "x-forwarded-for"], limits: limits)
        #expect(h == [HeaderField("User-Agent", "0123456789"), HeaderField("X-Real-IP", "1.2.3.4")])
    }

    @Test("an event whose field exceeds the log's bound is quarantined field_too_long, never refused")
    func tooLong() {
        let body = Array(#"{"status":"invoice:paid","id":"123456789"}"#.utf8)
        let event = Providers.normalize(source, body: body, receivedAtMs: 1, verifiedBy: "hmac-sha256-hex", previousStatus: nil)
        let fitted = StorableRecord.event(event, source: source, body: body, limits: limits)
        #expect(fitted.quarantined == "field_too_long:id")
        #expect(fitted.paymentID == nil && fitted.id.hasPrefix("s:quarantine:"))
        var roomy = LogLimits()
        roomy.fieldBytesMax = 64
        #expect(StorableRecord.event(event, source: source, body: body, limits: roomy) == event)
    }
}

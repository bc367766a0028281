import PayhookCore
import PayhookLog
import PayhookProviders
import PayhookStore
import Testing

@testable import PayhookDaemon

@Suite struct StorableRecordTests {
    let source = ProviderSource(name: "s", provider: .nonstopay, kind: "payin", scheme: .hmacSHA256Hex)
    var limits: LogLimits {
        var l = LogLimits()
        l.maxFieldBytes = 15
        l.maxHeaderCount = 2
        return l
    }

    @Test("an event whose field exceeds the log's bound is quarantined field_too_long, never refused")
    func tooLong() {
        let body = Array(#"{"status":"invoice:paid","id":"123456789"}"#.utf8)
        let event = Providers.normalize(source, body: body, receivedAtMs: 1, verifiedBy: "hmac-sha256-hex", previousStatus: nil)
        let fitted = StorableRecord.event(event, source: source, body: body, limits: limits)
        #expect(fitted.quarantined == "field_too_long:id")
        #expect(fitted.paymentID == nil && fitted.id.hasPrefix("s:quarantine:"))
        var roomy = LogLimits()
        roomy.maxFieldBytes = 64
        #expect(StorableRecord.event(event, source: source, body: body, limits: roomy) == event)
    }

    @Test("a field of exactly the bound (N) is stored as it is; N+1 is quarantined under its name", arguments: [64, 65])
    func atTheBound(length: Int) {
        let body = Array(#"{"status":"invoice:paid","id":"1"}"#.utf8)
        var event = Providers.normalize(source, body: body, receivedAtMs: 1, verifiedBy: "hmac-sha256-hex", previousStatus: nil)
        event.amount = String(repeating: "9", count: length)
        var bound = LogLimits()
        bound.maxFieldBytes = 64
        let stored = StorableRecord.event(event, source: source, body: body, limits: bound)
        #expect(stored.quarantined == (length > 64 ? "field_too_long:amount" : nil))
    }
}

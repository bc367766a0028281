import PayhookHTTP1
import PayhookHooks
import Testing

@Suite struct DeliveryOutcomeTests {
    func outcome(_ status: Int, _ retryAfter: HTTP1RetryAfter? = nil) -> DeliveryState.Outcome {
        var r = HTTP1Response()
        r.status = status
        r.retryAfter = retryAfter
        return DeliveryState.Outcome(response: r, nowUnixMs: 1_000_000)
    }

    @Test("any 2xx is delivered; Retry-After counts on 429 and 503 only")
    func mapping() {
        #expect(outcome(200) == .delivered && outcome(204) == .delivered && outcome(299) == .delivered)
        #expect(outcome(300) == .failed(retryAfterMs: nil) && outcome(404) == .failed(retryAfterMs: nil))
        #expect(outcome(429, .seconds(7)) == .failed(retryAfterMs: 7_000))
        #expect(outcome(503, .date(1_005)) == .failed(retryAfterMs: 5_000))
        #expect(outcome(500, .seconds(7)) == .failed(retryAfterMs: nil))
    }
}

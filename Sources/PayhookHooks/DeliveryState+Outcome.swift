import PayhookHTTP1

extension DeliveryState.Outcome {
    /// The outcome of an HTTP attempt: any 2xx is delivered; a `Retry-After` counts only on 429
    /// and 503, the statuses that define it as "come back then" (RFC 9110 §10.2.3, RFC 6585 §4);
    /// on other statuses it is ignored and the backoff applies.
    public init(response: HTTP1Response, nowUnixMs: Int64) {
        if (200...299).contains(response.status) {
            self = .delivered
        } else if response.status == 429 || response.status == 503, let retryAfter = response.retryAfter {
            self = .failed(retryAfterMs: retryAfter.delayMs(nowUnixMs: nowUnixMs))
        } else {
            self = .failed(retryAfterMs: nil)
        }
    }
}

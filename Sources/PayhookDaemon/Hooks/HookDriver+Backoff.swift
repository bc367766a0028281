import PayhookPosix

// A hook whose target refuses connections (down, not listening) is unreachable for every
// event alike. Without a hook-wide wait each new event made its own first attempt at once: a
// dead hook cost a socket, a connect and a failure per ingested event (49,205 refused connects
// in 5 s in bench-hooks.sh) and took loop time from ingest. After a connect failure, HTTP
// attempts of this hook wait until the connect backoff passes (1 s, doubling per window that
// ends in another connect failure, at most `retry_max_interval`); then the waiting ones go
// out, at most `max_in_flight`. Any answer, or a failure after connecting, ends the backoff.
// The event's own retry schedule (`DeliveryState`) is unchanged; a waiting attempt is sent late.

extension HookDriver {
    /// An attempt ended in a connect failure at `nowMs`: start or lengthen the wait (once per window).
    func connectFailed(nowMs: Int64) {
        guard nowMs >= connectBlockedUntilMs else { return }
        connectFailures += 1
        let delay = min(Int64(1000) << Int64(min(connectFailures - 1, 20)), hook.retryMaxIntervalMs)
        connectBlockedUntilMs = nowMs + delay
    }

    /// The target answered (or at least accepted the connection): no wait.
    func connectSucceeded() {
        connectFailures = 0
        connectBlockedUntilMs = 0
    }

    /// Whether `send` was held back until the connect backoff passes (it then runs from the timer).
    func deferWhileUnreachable(_ send: @escaping () -> Void) -> Bool {
        let now = clock.nowUnixMs()
        guard now < connectBlockedUntilMs else { return false }
        deferredSends.append(send)
        if backoffTimer == nil { backoffTimer = loop.makeTimer { [unowned self] in releaseDeferred() } }
        loop.schedule(backoffTimer!, afterMs: connectBlockedUntilMs - now)
        return true
    }

    private func releaseDeferred() {
        guard !stopped else { return }
        let now = clock.nowUnixMs()
        if now < connectBlockedUntilMs, let backoffTimer {
            return loop.schedule(backoffTimer, afterMs: connectBlockedUntilMs - now)
        }
        let sends = deferredSends
        deferredSends = []
        for send in sends { send() }
    }
}

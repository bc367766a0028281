import PayhookHooks
import PayhookNATS
import PayhookPosix

// Attempts of a `nats_url` hook: one JetStream publish per attempt, done at its ack.

extension HookDriver {
    /// Makes the publisher of a `nats_url` hook (its worker connects and checks the stream at
    /// once, so a wrong credential or stream shows in the journal at start, not at the first event).
    func startNATS() {
        guard case .nats(let urls) = hook.target else { return }
        do {
            let publisher = try HookNATS(
                name: hook.name, urls: urls, settings: hook.nats, maxInFlight: hook.maxInFlight, timeoutMs: hook.timeoutMs, loop: loop)
            let name = hook.name
            publisher.onSetup = { [weak self] failure in
                guard let self, let failure else { return }
                Journal.error("hook \(name): \(failure.message)")
                stats.lastError = failure.message
                stats.lastErrorAtMs = clock.nowUnixMs()
            }
            nats = publisher
        } catch {
            Journal.error("hook \(hook.name): NATS worker thread: \(error)")
        }
    }

    /// Publishes `event` with `Nats-Msg-Id` = its id (the stream drops a copy inside its
    /// duplicate window: a retry, or the same notification received by another instance).
    func sendNATS(_ event: HookEvent, body: [UInt8], nats: HookNATS) {
        let settings = hook.nats
        let subject = NATSSubject(settings.subject).render(
            source: event.source, kind: event.kind, status: event.status.rawValue, provider: settings.providers[event.source] ?? "unknown")
        let headers = [("Nats-Msg-Id", event.id), ("Payhook-Source", event.source)]
        nats.publish(token: event.seq, subject: subject, headers: headers, data: body) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success: sendStatus(event, nats: nats)
            case .failure(let failure): finished(event, outcome: .failed(retryAfterMs: nil), failure: failure)
            }
        }
    }

    /// With `status_bucket`, the payment's last-seen status (this instance's view, which never
    /// ranks below the event just published) goes to the bucket before the event counts as done.
    private func sendStatus(_ event: HookEvent, nats: HookNATS) {
        guard hook.nats.statusBucket != nil, let id = event.paymentID, let state = store.index.lookup(source: event.source, paymentID: id)
        else { return finished(event, outcome: .delivered, failure: nil) }
        let value = PaymentJSON.encode(state, verifiedBy: hook.nats.schemes[event.source] ?? "")
        let key = NATSKey.payment(source: event.source, paymentID: id)
        nats.updateStatus(token: event.seq, key: key, value: value, status: state.status) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success: finished(event, outcome: .delivered, failure: nil)
            case .failure(let failure): finished(event, outcome: .failed(retryAfterMs: nil), failure: failure)
            }
        }
    }
}

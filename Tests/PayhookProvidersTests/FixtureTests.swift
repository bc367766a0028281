import PayhookCore
import PayhookProviders
import Testing

@Suite struct FixtureTests {
    static let receivedAtMs: Int64 = 1_795_860_000_123

    @Test("the shared fixtures and our variants are all present")
    func counts() {
        #expect(Fixtures.shared.count == 15)
        #expect(Fixtures.variants.count >= 40)
    }

    @Test("every shared fixture verifies (or is refused with 401) and normalizes as fixtures.json expects", arguments: Fixtures.shared)
    func shared(_ c: FixtureCase) { check(c) }

    @Test("every variant verifies (or is refused) and normalizes as variants.json expects", arguments: Fixtures.variants)
    func variant(_ c: FixtureCase) { check(c) }

    private func check(_ c: FixtureCase) {
        let verification = Providers.verify(c.source, headers: c.headers, body: c.body)
        let http = c.expect["http"]!.numberText!
        guard http == "200" else {
            #expect(http == "401")
            #expect(!verification.isVerified)
            if let reason = c.expect["reject"]?.stringValue { #expect(verification == .rejected(RejectReason(rawValue: reason)!)) }
            return
        }
        guard case .verified(let by) = verification else {
            Issue.record("\(c.name): \(verification)")
            return
        }
        #expect(by == c.source.scheme.rawValue)
        let event = Providers.normalize(c.source, body: c.body, receivedAtMs: Self.receivedAtMs, verifiedBy: by, previousStatus: nil)
        #expect(event.source == c.source.name)
        #expect(event.provider == c.source.provider.rawValue)
        #expect(event.kind == c.source.kind)
        #expect(event.receivedAtMs == Self.receivedAtMs)
        #expect(event.verifiedBy == by)
        #expect(event.quarantined == c.expect["quarantined"]?.stringValue)
        if event.quarantined == nil {
            #expect(event.id == EventID.make(source: c.source.name, paymentID: event.paymentID!, event: event.providerEvent!))
        }
        expectField(c, "payment_id", event.paymentID)
        expectField(c, "merchant_ref", event.merchantRef)
        expectField(c, "status", event.status.rawValue)
        expectField(c, "provider_status", event.providerStatus)
        expectField(c, "amount", event.amount)
        expectField(c, "currency", event.currency)
        expectField(c, "occurred_at", event.occurredAt)
        expectField(c, "id", event.id)
        expectField(c, "verified_by", event.verifiedBy)
        if let after = c.expect["status_after_succeeded"]?.stringValue {
            let later = Providers.normalize(c.source, body: c.body, receivedAtMs: 0, verifiedBy: by, previousStatus: .succeeded)
            #expect(later.status.rawValue == after)
        }
    }

    /// Asserts `actual` when the case names the field; JSON `null` means "absent".
    private func expectField(_ c: FixtureCase, _ key: String, _ actual: String?) {
        guard let expected = c.expect[key] else { return }
        #expect(actual == expected.stringValue, "\(c.name): \(key)")
    }
}

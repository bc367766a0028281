import PayhookCore
import PayhookProviders
import Testing

@Suite struct NonstopayStatusTests {
    @Test(
        "every row of the providers.md Nonstopay table",
        arguments: [
            ("invoice:created", PaymentStatus.created), ("fund:created", .created), ("payment:created", .created),
            ("invoice:opened", .pending), ("invoice:waiting", .pending), ("invoice:unpaid", .pending),
            ("fund:pending", .pending), ("payment:pending", .pending), ("invoice:pending", .pending),
            ("invoice:paid", .succeeded), ("fund:success", .succeeded), ("payment:success", .succeeded),
            ("invoice:failed", .failed), ("invoice:declined", .failed), ("fund:failed", .failed), ("payment:failed", .failed),
            ("invoice:expired", .expired),
            ("invoice:canceled", .cancelled), ("invoice:cancelled", .cancelled),
        ])
    func table(status: String, expected: PaymentStatus) {
        #expect(Nonstopay.status(for: status) == expected)
    }

    @Test(
        "anything else is unknown",
        arguments: [
            "invoice:on_hold", "pending", ":pending", "paid", "invoice", "", "fund:successful", "fund:expired", "payment:paid", "invoice:paid ",
            "invoice::paid",
        ])
    func unknown(status: String) {
        #expect(Nonstopay.status(for: status) == .unknown)
    }

    @Test("upper-case labels as shown in the docs (OPENED, WAITING, UNPAID) map like lower case")
    func caseInsensitive() {
        #expect(Nonstopay.status(for: "invoice:OPENED") == .pending)
        #expect(Nonstopay.status(for: "INVOICE:PAID") == .succeeded)
        #expect(Nonstopay.status(for: "Fund:Pending") == .pending)
    }
}

import PayhookCore
import PayhookProviders
import Testing

@Suite struct NoventiqStatusTests {
    @Test(
        "the four Payments events map per the providers.md table",
        arguments: [
            ("order.created", "not paid", PaymentStatus.created), ("order.payment.succeeded", "paid", .succeeded),
            ("order.payment.failed", "not paid", .failed), ("product.returned", "deleted", .refunded),
        ])
    func events(event: String, status: String, expected: PaymentStatus) {
        #expect(Noventiq.status(event: event, status: status, previousStatus: nil) == expected)
        #expect(Noventiq.status(event: event, status: status, previousStatus: .succeeded) == expected)
    }

    @Test("the event decides even when the status disagrees or is missing")
    func eventWins() {
        #expect(Noventiq.status(event: "product.returned", status: nil, previousStatus: nil) == .refunded)
        #expect(Noventiq.status(event: "order.payment.failed", status: "deleted", previousStatus: .succeeded) == .failed)
        #expect(Noventiq.status(event: "order.created", status: "paid", previousStatus: nil) == .created)
    }

    @Test("deleted after succeeded (or refunded) is refunded", arguments: [PaymentStatus.succeeded, .refunded])
    func deletedAfterSuccess(previous: PaymentStatus) {
        #expect(Noventiq.status(event: "order.deleted", status: "deleted", previousStatus: previous) == .refunded)
    }

    @Test(
        "deleted otherwise is cancelled",
        arguments: [nil, PaymentStatus.created, .pending, .failed, .expired, .cancelled, .unknown] as [PaymentStatus?])
    func deletedOtherwise(previous: PaymentStatus?) {
        #expect(Noventiq.status(event: "order.expired", status: "deleted", previousStatus: previous) == .cancelled)
    }

    @Test(
        "Checkout events, terminated and unknown events are unknown; names match exactly",
        arguments: [
            ("product.delivered", "paid"), ("subscription.created", "paid"), ("subscription.cancelled", "not paid"),
            ("order.terminated", "terminated"), ("Order.Created", "not paid"), ("order.payment.succeeded ", "paid"), ("x", "Deleted"), ("", nil),
        ] as [(String, String?)])
    func unknown(event: String, status: String?) {
        #expect(Noventiq.status(event: event, status: status, previousStatus: .succeeded) == .unknown)
    }
}

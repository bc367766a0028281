import PayhookCore
import Testing

@Suite struct PaymentStatusTests {
    @Test("ranks follow design.md: created < pending < failed < expired=cancelled < succeeded < refunded")
    func ranks() {
        #expect(PaymentStatus.created.rank == 0)
        #expect(PaymentStatus.pending.rank == 1)
        #expect(PaymentStatus.failed.rank == 2)
        #expect(PaymentStatus.expired.rank == 3)
        #expect(PaymentStatus.cancelled.rank == 3)
        #expect(PaymentStatus.succeeded.rank == 4)
        #expect(PaymentStatus.refunded.rank == 5)
        #expect(PaymentStatus.unknown.rank == nil)
    }

    @Test(
        "a status never moves backwards and unknown never changes it",
        arguments: [
            (PaymentStatus.succeeded, PaymentStatus?.some(.pending), true),
            (.pending, .some(.succeeded), false),
            (.refunded, .some(.succeeded), true),
            (.succeeded, .some(.failed), true),
            (.failed, .some(.succeeded), false),
            (.unknown, .some(.created), false),
            (.unknown, nil, false),
            (.created, nil, true),
            (.created, .some(.unknown), true),
            (.cancelled, .some(.expired), true),
            (.expired, .some(.cancelled), true),
        ])
    func replaces(new: PaymentStatus, current: PaymentStatus?, expected: Bool) {
        #expect(PaymentStatus.replaces(new, current: current) == expected)
    }
}

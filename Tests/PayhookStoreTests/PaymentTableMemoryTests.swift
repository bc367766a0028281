import PayhookCore
import Testing

@testable import PayhookLog
@testable import PayhookStore

/// Issue 12's budget for the payment table, on the table's own API (so it ran against the
/// dictionary it replaced, at about 550 bytes a payment, and failed).
@Suite struct PaymentTableMemoryTests {
    @Test("300,000 payments shaped as logbench gen's (one event each) hold at most 160 heap bytes a payment")
    func bytesPerPayment() {
        let payments = 300_000
        var table = PaymentTable()
        for n in 0..<payments {
            let p = n % payments
            let id = "ORD-\(1_000_000_000 + p)-\(p &* 2_654_435_761 % 1_000_003)"
            let status: PaymentStatus = n < payments ? .created : .succeeded
            let e = NormalizedEvent(
                id: "", seq: UInt64(n + 1), source: "noventiq", provider: "noventiq", kind: "payment", paymentID: id,
                merchantRef: "SHOP-\(500_000 + p)", status: status, providerStatus: status.rawValue, amount: "\(p % 997 + 1).\(10 + p % 90)",
                currency: "EUR", receivedAtMs: 1_795_341_600_000 + Int64(n), verifiedBy: "sha512-fields")
            table.apply(e, paymentID: id)
        }
        #expect(table.count == payments)
        let bytes = table.heapBytes()
        #expect(bytes <= 160 * payments, "\(bytes / payments) bytes a payment")
    }
}

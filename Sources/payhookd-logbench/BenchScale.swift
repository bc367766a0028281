import CLinuxShim
import Glibc
import PayhookCore
import PayhookLog
import PayhookPosix
import PayhookStore

/// `gen`: a log shaped like a busy merchant's, for the scale figures (scripts/bench-scale.sh).
/// N events over N*0.3 payments, each payment's events spread over the log (event n belongs to
/// payment n mod P, its kind is the n/P-th of four), ids of the length providers send.
enum BenchScale {
    static let kinds: [(event: String, status: PaymentStatus)] = [
        ("order.created", .created), ("order.payment.succeeded", .succeeded), ("order.payment.failed", .failed),
        ("product.returned", .refunded),
    ]

    static func event(_ n: Int, payments: Int, receivedAtMs: Int64) -> LogPayload {
        let p = n % payments
        let kind = kinds[min(n / payments, kinds.count - 1)]
        // Noventiq order ids are 20-odd characters; merchant refs carry the shop's order number.
        let paymentID = "ORD-\(String(1_000_000_000 + p))-\(String(p &* 2_654_435_761 % 1_000_003))"
        let merchantRef = "SHOP-\(String(500_000 + p))"
        let amount = "\(p % 997 + 1).\(String(10 + p % 90))"
        let body = Array(
            "{\"event\":\"\(kind.event)\",\"order_id\":\"\(paymentID)\",\"status\":\"\(kind.status.rawValue)\",\"amount\":\"\(amount)\",\"currency\":\"EUR\",\"merchant_ref\":\"\(merchantRef)\",\"customer\":{\"email\":\"buyer\(p)@example.com\"},\"create_date\":\"2026-11-22 10:00:00\",\"payment_method\":\"card\"}"
                .utf8)
        let request = StoredRequest(
            peerAddress: "127.0.0.1:40000", clientAddress: "203.0.113.9", path: "/hooks/noventiq",
            headers: [
                HeaderField("content-type", "application/json"), HeaderField("x-signature", String(repeating: "a", count: 128)),
                HeaderField("user-agent", "Noventiq-Webhooks/1.0"),
            ],
            body: body, bodyIsJSON: true)
        let e = NormalizedEvent(
            id: EventID.make(source: "noventiq", paymentID: paymentID, event: kind.event), source: "noventiq",
            provider: "noventiq", kind: "payment", paymentID: paymentID, merchantRef: merchantRef, status: kind.status,
            providerStatus: kind.status.rawValue, providerEvent: kind.event, amount: amount, currency: "EUR",
            occurredAt: "2026-11-22T10:00:00Z", receivedAtMs: receivedAtMs, verifiedBy: "sha512-fields")
        return .event(request, e)
    }

    /// Writes `records` events through the real writer (group commit, snapshots every 100k, a
    /// final one at shutdown), received over the last hours so retention keeps them all.
    static func generate(dir: String, records: Int) {
        let wake = Bench.Latch()
        var o = Bench.options(maxBatch: 4096)
        o.snapshotEveryEvents = 100_000
        let opened = try! Log.open(dir: dir, options: o, isDelivered: { _ in true }, onDurable: { wake.fire() })
        let writer = opened.writer
        // The loop's part: keep the index and hand it to the snapshot thread when due.
        var index = opened.index
        let payments = max(1, records * 3 / 10)
        let nowMs = Int64(cshim_realtime_ms())
        let start = cshim_monotonic_ns()
        var completed = 0
        var n = 0
        while completed < records {
            while n < records && n - completed < 16384 {
                writer.submit(event(n, payments: payments, receivedAtMs: nowMs - Int64(records - n)), ticket: UInt64(n))
                n += 1
            }
            wake.wait()
            for c in writer.takeCompletions() {
                guard case .success(let appended) = c.result else { preconditionFailure("gen failed: \(c.result)") }
                let t = Int(c.ticket)
                index.apply(
                    event(t, payments: payments, receivedAtMs: nowMs - Int64(records - t)), at: appended, frameBytes: c.frameBytes)
                completed += 1
            }
            writer.applied(index)
        }
        let seconds = Double(cshim_monotonic_ns() - start) / 1e9
        writer.shutdown { index }
        print("gen records=\(records) payments=\(payments) seconds=\(Bench.fmt(seconds))")
    }
}

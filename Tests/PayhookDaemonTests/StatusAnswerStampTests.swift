import PayhookCore
import PayhookPosix
import TestSupport
import Testing

@testable import PayhookDaemon
@testable import PayhookStore

/// The status route's kept answers (`StatusAnswerCache`) against a real store: an answer is
/// used by stamp while nothing in its payment's group of shards changed, by content when another
/// payment of the group changed, and rendered again when its own payment changed.
@Suite struct StatusAnswerStampTests {
    private let now: Int64 = 1_795_341_600_000

    @Test("a kept answer: by stamp, by content after another payment of its group changed, rendered again after its own changed")
    func stampThenContent() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try StoreFixtures.open(dir, now: now)
        defer { store.shutdown() }
        let loop = try EventLoop(capacity: 16)
        let fetcher = try RecordFetcher(reader: store.reader, executor: loop.executor)
        defer { fetcher.shutdown() }
        let routes = AdminRoutes(store: store, fetcher: fetcher, metrics: Metrics(), limits: .init(Config.Server()), schedule: { _, _ in {} })
        var router = Router()
        routes.install(into: &router)
        func query(_ id: String) -> String? {
            var path = "/v1/payments/nonstopay-payin/\(id)"
            let r = path.withUTF8 { p in
                router.withImmediateRoute(UnsafeRawBufferPointer(p), isHead: false, on: .admin) { route, values in route.immediate!(values) }
            }
            guard let r, r.status == 200 else { return nil }
            return String(decoding: r.body, as: UTF8.self)
        }

        // Two payments whose keys fall in one group of shards (one change stamp).
        func group(_ id: String) -> UInt64 {
            PaymentTable.hash(source: "nonstopay-payin".utf8, paymentID: id.utf8) >> UInt64(64 - PaymentTable.stampGroupBits)
        }
        let ids = (0..<20_000).map { "q\($0)" }
        let mate = try #require(ids.dropFirst().first { group($0) == group(ids[0]) })
        let a = ids[0]
        append(store, a, .created)
        append(store, mate, .created)

        let first = try #require(query(a))
        #expect(routes.answers.misses == 1 && routes.answers.hits == 0)
        #expect(query(a) == first && routes.answers.hits == 1, "by stamp")

        append(store, mate, .succeeded)
        #expect(query(a) == first && routes.answers.hits == 2 && routes.answers.misses == 1, "by content: the record is the same")
        #expect(query(a) == first && routes.answers.hits == 3, "by stamp again: the entry took the new stamp")

        append(store, a, .succeeded)
        let changed = try #require(query(a))
        #expect(changed != first && changed.contains(#""status":"succeeded""#) && routes.answers.misses == 2, "its own payment changed")
        #expect(query("q-never-seen") == nil && routes.answers.misses == 2, "an unknown payment is 404 and no miss")
    }

    private func append(_ store: EventStore, _ id: String, _ status: PaymentStatus) {
        StoreFixtures.append(store, "nonstopay-payin", id, ref: nil, status: status, now: now)
    }
}

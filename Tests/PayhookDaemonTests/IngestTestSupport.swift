import Glibc
import PayhookCore
import PayhookLog
import PayhookProviders
import PayhookStore
import TestSupport
import Testing

@testable import PayhookDaemon

/// Sources, requests and a route for the ingest unit tests. Sources use the `none` scheme, so
/// the tests need no signatures: they pin what happens after the checks.
enum IngestFixtures {
    static let noventiq = IngestSource(
        name: "noventiq", provider: ProviderSource(name: "noventiq", provider: .noventiq, kind: "payment", scheme: .none),
        allowFrom: [], maxBodyBytes: 65_536)
    static let nonstopay = IngestSource(
        name: "nonstopay-payin",
        provider: ProviderSource(name: "nonstopay-payin", provider: .nonstopay, kind: "payin", scheme: .none),
        allowFrom: [], maxBodyBytes: 65_536)

    /// A POST as it would arrive from `127.0.0.1`.
    static func request(_ body: String, source: IngestSource = noventiq) -> IngestRequest {
        IngestRequest(
            StoredRequest(
                peerAddress: "127.0.0.1", clientAddress: "127.0.0.1", path: "/hooks/\(source.name)",
                headers: [HeaderField("Content-Type", "application/json")], body: Array(body.utf8), bodyIsJSON: false))
    }

    /// Noventiq bodies for order `order`: paid, then `deleted` (an `order.*` event that only the
    /// last-seen status tells apart: refund after a payment, cancellation otherwise).
    static func succeeded(_ order: Int) -> String { #"{"event":"order.payment.succeeded","order_id":\#(order),"status":"paid"}"# }
    static func deleted(_ order: Int) -> String { #"{"event":"order.updated","order_id":\#(order),"status":"deleted"}"# }

    /// An ingest route over `sink`, with the rejects store in `dir`.
    static func route(_ sink: any EventSink, dir: TemporaryDirectory) throws -> IngestRoute {
        IngestRoute(
            table: SourceTable(sources: [noventiq, nonstopay]), store: sink, rejects: try RejectStore(dir: dir.path),
            metrics: Metrics(), clock: ManualClock(), limits: LogLimits())
    }
}

/// Collects the outcomes `IngestRoute.ingest` reports, in the order they arrive.
final class Outcomes {
    private(set) var all: [IngestOutcome] = []
    var finish: (IngestOutcome) -> Void { { [self] in all.append($0) } }
}

/// Bounded dedup through the real log and ingest route (`EventStoreDedupExpiryTests`,
/// `EventStoreExpiryTurnsTests`): small segments, no snapshots, 90 days of retention.
enum ExpiryFixtures {
    static let day: Int64 = 86_400_000
    static let now: Int64 = 1_795_341_600_000

    static func store(_ dir: TemporaryDirectory, extraDays: Int, clock: ManualClock) throws -> EventStore {
        var o = LogOptions()
        o.segmentBytes = 1024
        o.snapshotEveryEvents = 0
        o.retentionDays = 90
        o.dedupExtraDays = extraDays
        o.clock = clock
        return EventStore(opened: try Log.open(dir: dir.path, options: o, isDelivered: { _ in true }, onDurable: {}))
    }

    /// Noventiq's succeeded callback for `order`, received at `ms`; collects the store until
    /// the route answers (5 s at most) and returns that answer.
    @discardableResult
    static func ingest(_ store: EventStore, _ route: IngestRoute, _ order: Int, at ms: Int64) -> IngestOutcome? {
        let outcomes = Outcomes()
        route.ingest(
            IngestFixtures.noventiq, IngestFixtures.request(IngestFixtures.succeeded(order)), receivedAtMs: ms, origin: .provider,
            finish: outcomes.finish)
        for _ in 0..<5_000 where outcomes.all.isEmpty {
            store.collect()
            usleep(1_000)
        }
        return outcomes.all.first
    }
}

/// A real store on a fresh log (no snapshots, the wall clock at `now`) and events appended to
/// it one at a time (`ConsoleSearchHandoverTests`, `StatusAnswerStampTests`).
enum StoreFixtures {
    static func open(_ dir: TemporaryDirectory, now: Int64) throws -> EventStore {
        var o = LogOptions()
        o.snapshotEveryEvents = 0
        o.clock = ManualClock(wallMs: now)
        return EventStore(opened: try Log.open(dir: dir.path, options: o, isDelivered: { _ in true }, onDurable: {}))
    }

    /// Appends one event of payment `id` and collects until it is durable and applied
    /// (`onEventApplied` ran).
    static func append(_ store: EventStore, _ source: String, _ id: String, ref: String?, status: PaymentStatus, now: Int64) {
        let e = NormalizedEvent(
            id: "\(source):\(id):\(status.rawValue)", source: source, provider: "nonstopay", kind: "payin", paymentID: id, merchantRef: ref,
            status: status, providerEvent: status.rawValue, receivedAtMs: now, verifiedBy: "test")
        let request = StoredRequest(
            peerAddress: "127.0.0.1:1", clientAddress: "127.0.0.1", path: "/hooks/\(source)", headers: [], body: [], bodyIsJSON: false)
        var done = false
        store.append(request, e) { _ in done = true }
        for _ in 0..<5_000 where !done {
            store.collect()
            usleep(1_000)
        }
        #expect(done)
    }
}

import PayhookCore
import PayhookLog
import PayhookProviders
import PayhookStore
import TestSupport

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

import Glibc
import PayhookCore
import PayhookLog
import PayhookPosix
import PayhookStore
import TestSupport
import Testing

@testable import PayhookDaemon

/// The console's search is built on its own thread from a copy of the index and handed to the
/// loop: what happens on the loop before the handover (events applied, searches made) must not
/// be lost. The loop is not run until the test says so, so the handover cannot come early.
@Suite struct ConsoleSearchHandoverTests {
    private let now: Int64 = 1_795_341_600_000

    @Test("events applied and searches made before the built search reaches the loop: the searches wait, then answer every payment")
    func backlog() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try StoreFixtures.open(dir, now: now)
        defer { store.shutdown() }
        append(store, "nonstopay-payin", "p1", ref: "R1")
        append(store, "noventiq", "p2", ref: nil)
        let loop = try EventLoop(capacity: 16)
        let fetcher = try RecordFetcher(reader: store.reader, executor: loop.executor)
        defer { fetcher.shutdown() }
        let console = try ConsoleAPI(
            store: store, fetcher: fetcher, metrics: Metrics(), clock: ManualClock(wallMs: now), maxResults: 10, logDir: dir.path,
            executor: loop.executor)
        defer { console.shutdown() }
        // Not handed over yet (only the loop takes it): these go to the backlog.
        append(store, "noventiq", "p2", ref: "R2", status: .succeeded)  // a ref in a later event
        append(store, "legacy", "p3", ref: "R1")  // a source the copy never saw, sharing a ref
        #expect(console.search == nil)
        let sink = RecordingSink()
        for (i, q) in ["R1", "R2", "p3", "p1"].enumerated() {
            console.find(Request(method: "GET", target: "/v1/search?q=\(q)", listener: .admin), Responder(connection: sink, requestID: UInt64(i)))
        }
        #expect(sink.delivered.isEmpty, "searches wait for the built search")
        try loop.run(beforeWait: { if console.search != nil { loop.stop() } })
        #expect(console.search != nil)
        let answers = sink.delivered.sorted { $0.0 < $1.0 }.map { found($0.1) }
        #expect(answers == [["nonstopay-payin/p1", "legacy/p3"], ["noventiq/p2"], ["legacy/p3"], ["nonstopay-payin/p1"]])
        // Live from here on.
        append(store, "noventiq", "p4", ref: "R1")
        console.find(Request(method: "GET", target: "/v1/search?q=R1", listener: .admin), Responder(connection: sink, requestID: 9))
        #expect(found(sink.delivered.last?.1) == ["nonstopay-payin/p1", "legacy/p3", "noventiq/p4"])
    }

    private func found(_ r: Response?) -> [String] {
        guard let r, let json = try? JSONParser.parse(r.body), let list = json["payments"]?.arrayElements else { return ["no answer"] }
        return list.map { "\($0["source"]?.stringValue ?? "")/\($0["payment_id"]?.stringValue ?? "")" }
    }

    private func append(_ store: EventStore, _ source: String, _ id: String, ref: String?, status: PaymentStatus = .created) {
        StoreFixtures.append(store, source, id, ref: ref, status: status, now: now)
    }
}

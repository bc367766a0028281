import PayhookCore
import PayhookPosix
import TestSupport

@testable import PayhookLog
@testable import PayhookStore

/// Builders and a completion collector shared by the log tests.
enum Fixtures {
    static func event(
        _ n: Int, source: String = "noventiq", payment: String? = nil, status: PaymentStatus = .succeeded,
        receivedAtMs: Int64 = 1_795_341_600_000, quarantined: String? = nil
    ) -> NormalizedEvent {
        let paymentID = payment ?? "p\(n)"
        let name = "\(status.rawValue).\(n)"
        return NormalizedEvent(
            id: EventID.make(source: source, paymentID: paymentID, event: name), source: source, provider: "noventiq", kind: "payment",
            paymentID: paymentID, merchantRef: "M\(n)", status: status, providerStatus: "paid", providerEvent: name,
            amount: "100.00", currency: "EUR", occurredAt: "2021-08-13T06:20:00Z", receivedAtMs: receivedAtMs,
            verifiedBy: "sha512-fields", quarantined: quarantined)
    }

    static func request(bodyBytes: Int = 64) -> StoredRequest {
        let body = Array("{\"order\":\"".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: max(0, bodyBytes - 12)) + Array("\"}".utf8)
        return StoredRequest(
            peerAddress: "127.0.0.1:51234", clientAddress: "203.0.113.7", path: "/hooks/noventiq",
            headers: [HeaderField("content-type", "application/json"), HeaderField("x-signature", "abc123")],
            body: body, bodyIsJSON: true)
    }

    static func payload(_ n: Int, payment: String? = nil, status: PaymentStatus = .succeeded, receivedAtMs: Int64 = 1_795_341_600_000) -> LogPayload {
        .event(request(), event(n, payment: payment, status: status, receivedAtMs: receivedAtMs))
    }

    static func options(segmentBytes: Int = 1 << 20, snapshotEvery: Int = 0, clock: ManualClock = ManualClock()) -> LogOptions {
        var o = LogOptions()
        o.segmentBytes = segmentBytes
        o.snapshotEveryEvents = snapshotEvery
        o.clock = clock
        return o
    }
}

/// Opens a log in a temporary directory and collects completions as the writer reports them.
final class TestLog: @unchecked Sendable {
    let dir: TemporaryDirectory
    let probe: FileProbe
    var opened: OpenedLog
    var index: LogIndex
    private let wakeups = Wakeups()
    private var pending: [LogCompletion] = []

    init(dir: TemporaryDirectory = TemporaryDirectory(), options: LogOptions = Fixtures.options(), limits: LogLimits = LogLimits()) throws {
        self.dir = dir
        probe = FileProbe.install(dir: dir.path)
        let wakeups = self.wakeups
        opened = try Log.open(dir: dir.path, options: options, limits: limits, isDelivered: { _ in true }, onDurable: { wakeups.wake() })
        index = opened.index
    }

    var writer: LogWriter { opened.writer }

    /// Waits until `count` completions arrived (as the loop would, woken by `onDurable`), applies
    /// the successes to `index` and returns them in ticket order.
    func wait(for count: Int, payloads: [UInt64: LogPayload] = [:]) -> [LogCompletion] {
        while pending.count < count {
            wakeups.waitForOne()
            pending += writer.takeCompletions()
        }
        let done = pending.prefix(count)
        pending.removeFirst(count)
        for c in done {
            if case .success(let a) = c.result, let p = payloads[c.ticket] { index.apply(p, at: a, frameBytes: c.frameBytes) }
        }
        writer.applied(index)  // as the loop does after each batch
        return done.sorted { $0.ticket < $1.ticket }
    }

    /// Submits and waits, one payload at a time (no batching).
    @discardableResult
    func append(_ payloads: [LogPayload], firstTicket: UInt64 = 1) -> [LogCompletion] {
        var out: [LogCompletion] = []
        for (i, p) in payloads.enumerated() {
            let ticket = firstTicket + UInt64(i)
            writer.submit(p, ticket: ticket)
            out += wait(for: 1, payloads: [ticket: p])
        }
        return out
    }

    private var closed = false

    /// Shuts the writer down and removes the probe; idempotent.
    func close() {
        if closed { return }
        closed = true
        writer.shutdown { self.index }
        probe.uninstall()
    }

    func segmentPaths() -> [String] {
        ((try? FileSystem.list(Log.logDirectory(dir.path))) ?? []).filter { $0.hasSuffix(".seg") }.sorted()
            .map { Log.logDirectory(dir.path) + "/" + $0 }
    }
}

/// Counts `onDurable` calls; the test thread sleeps until one arrives.
final class Wakeups: Sendable {
    private let lock = ConditionLock()
    private nonisolated(unsafe) var count = 0

    func wake() {
        lock.withLock {
            count += 1
            lock.broadcast()
        }
    }

    func waitForOne() {
        lock.withLock {
            while count == 0 { lock.wait() }
            count = 0
        }
    }
}

/// Removes the snapshots and the high-water mark, the witnesses of acknowledged seqs, so a
/// test can stand the last record for a write that was never acknowledged.
func forgetWitnesses(_ dir: TemporaryDirectory) {
    let logDir = Log.logDirectory(dir.path)
    for name in (try? FileSystem.list(logDir)) ?? [] where name.hasSuffix(".snap") || name == AckedMark.fileName {
        try? FileSystem.unlink(logDir + "/" + name)
    }
}

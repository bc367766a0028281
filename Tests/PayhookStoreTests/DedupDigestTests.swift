import PayhookCore
import TestSupport
import Testing

@testable import PayhookLog
@testable import PayhookStore

/// Dedup by digests (`DedupTable`, 88 of 128 bits kept): a digest hit is confirmed against the log record,
/// so collisions (forced here through the digest hook) never answer a false duplicate.
@Suite struct DedupDigestTests {
    static let collide: @Sendable (String) -> DedupDigest = { _ in DedupDigest(hi: 42, lo: 42) }

    static func event(_ n: Int, payment: String) -> LogPayload {
        Fixtures.payload(n, payment: payment, status: .succeeded)
    }

    static func identity(_ payload: LogPayload) -> NormalizedEvent {
        guard case .event(_, let e) = payload else { preconditionFailure() }
        return e
    }

    @Test("every id has the same digest: stored ids dedup to their own seq, others are not duplicates")
    func forcedCollisions() throws {
        let log = try TestLog()
        defer {
            log.close()
            log.dir.remove()
        }
        log.index = LogIndex(digest: Self.collide)
        log.index.records = log.opened.reader
        let stored = (1...5).map { Self.event($0, payment: "p\($0 % 2)") }
        log.append(stored)
        for (i, p) in stored.enumerated() { #expect(log.index.dedup(Self.identity(p)) == UInt64(i + 1)) }
        #expect(log.index.dedupCount == 5)
        // Never stored, same digest as all five: the log record at the digest's seq disagrees.
        #expect(log.index.dedup(Self.identity(Self.event(6, payment: "p0"))) == nil)
        #expect(log.index.dedup(id: "noventiq:p9:succeeded.9") == nil)
    }

    @Test("a digest hit whose record is gone (retention) stands for the id; without that record a forced collision is not confirmed")
    func hitWithoutRecord() {
        var index = LogIndex(digest: Self.collide)
        index.apply(Self.event(1, payment: "a"), at: LogIdentityTests.at(1), frameBytes: 1)
        // No log to read: the kept digest bits decide (the documented rule past retention).
        #expect(index.dedup(Self.identity(Self.event(1, payment: "a"))) == 1)
        index.dropSegments(through: 1)
        #expect(index.location(of: 1) == nil)
        #expect(index.dedup(Self.identity(Self.event(1, payment: "a"))) == 1)
    }

    @Test("distinct ids get distinct digests over a million generated ids (no real collisions at this size)")
    func digestSpread() {
        var seen = Set<DedupDigest>()
        for n in 0..<200_000 { seen.insert(DedupDigest.of("noventiq:ORD-\(1_000_000_000 + n):order.payment.succeeded")) }
        #expect(seen.count == 200_000)
        #expect(DedupDigest.of("a") == DedupDigest.of("a"))
        #expect(DedupDigest.of("caf\u{e9}") != DedupDigest.of("cafe\u{301}"))
    }

    /// A log with repeated payments, every status, a quarantined event and an identity stored
    /// twice (as an older version could): the fold a snapshot must reproduce.
    static func generatedLog() -> [LogPayload] {
        var out: [LogPayload] = []
        for i in 1...48 {
            let status = PaymentStatus.allCases[(i * 5) % PaymentStatus.allCases.count]
            out.append(Fixtures.payload(i, payment: "p\(i % 9)", status: status, receivedAtMs: 1_795_341_600_000 + Int64(i * 7 % 13)))
        }
        out.append(.event(Fixtures.request(), Fixtures.event(49, quarantined: "no order_id")))
        out.append(Fixtures.payload(3, payment: "p3", status: PaymentStatus.allCases[15 % PaymentStatus.allCases.count]))
        out.append(
            .duplicate(DuplicateMarker(source: "noventiq", peerAddress: "x", clientAddress: "y", eventID: "i", originalSeq: 2), receivedAtMs: 5))
        return out
    }

    @Test("snapshot + replay equals full replay at every seq boundary of a generated log")
    func snapshotAtEveryBoundary() throws {
        let records = Self.generatedLog()
        var full = LogIndex()
        for (i, p) in records.enumerated() { full.apply(p, at: LogIdentityTests.at(UInt64(i + 1)), frameBytes: 1) }
        for boundary in 0...records.count {
            var prefix = LogIndex()
            for (i, p) in records.prefix(boundary).enumerated() { prefix.apply(p, at: LogIdentityTests.at(UInt64(i + 1)), frameBytes: 1) }
            var resumed = try IndexSnapshot.decode(IndexSnapshot.encode(prefix))
            #expect(resumed == prefix)
            for (i, p) in records.enumerated().dropFirst(boundary) {
                resumed.apply(p, at: LogIdentityTests.at(UInt64(i + 1)), frameBytes: 1)
            }
            #expect(resumed == full, "snapshot at seq \(boundary)")
            #expect(resumed.dedup(Self.identity(records[2])) == 3)
        }
    }
}

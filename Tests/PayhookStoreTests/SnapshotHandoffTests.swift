import Glibc
import PayhookPosix
import TestSupport
import Testing

@testable import PayhookLog
@testable import PayhookStore

/// The snapshot thread keeps no index: the loop hands it a copy of its own, which it streams
/// to the file and lets go of.
@Suite struct SnapshotHandoffTests {
    private func waitUntil(_ done: () -> Bool) {
        for _ in 0..<20_000 where !done() { usleep(1_000) }
    }

    private func readSnapshot(_ log: TestLog, seq: UInt64) throws -> LogIndex {
        let file = try File.open(Log.logDirectory(log.dir.path) + "/" + IndexSnapshot.fileName(lastSeq: seq), flags: O_RDONLY)
        defer { file.close() }
        return try IndexSnapshot.read(file, size: Int(try file.size()))
    }

    @Test("a copy handed at seq S is written as the index at S while the loop goes on applying records; the thread keeps no copy")
    func handedCopyIsTheIndexAtS() throws {
        let log = try TestLog(options: Fixtures.options(snapshotEvery: 0))
        defer {
            log.close()
            log.dir.remove()
        }
        log.append((1...40).map { Fixtures.payload($0, payment: "p\($0 % 9)", status: $0 % 2 == 0 ? .succeeded : .failed) })
        let atS = log.index
        // The handed copy carries a reader of its own: while the thread holds any copy of
        // the index, that reader is referenced twice.
        var handed = log.index
        handed.records = LogReader(dir: log.dir.path)
        log.writer.requestMaintenance(handed)
        // The loop goes on: new events for payments the copy holds, and new payments.
        log.append((41...80).map { Fixtures.payload($0, payment: "p\($0 % 13)", status: .refunded) }, firstTicket: 41)
        waitUntil { log.writer.snapshotSeq >= 40 && !log.writer.snapshots.snapshotInFlight.load(ordering: .acquiring) }
        #expect(log.writer.snapshotSeq == 40)
        let decoded = try readSnapshot(log, seq: 40)
        #expect(decoded == atS)
        #expect(decoded.lookup(source: "noventiq", paymentID: "p1")?.status == atS.lookup(source: "noventiq", paymentID: "p1")?.status)
        // The loop's index lost nothing when the copy's shards were released.
        #expect(log.index.lastSeq == 80)
        #expect(log.index.dedupCount == 80)
        #expect(log.index.paymentCount == 13)
        #expect(log.index.lookup(source: "noventiq", paymentID: "p1")?.status == .refunded)
        #expect(isKnownUniquelyReferenced(&handed.records), "the snapshot thread let go of its copy")
    }

    @Test("the snapshot thread keeps 4 bytes a record (its segment map), not an index")
    func threadKeepsNoIndex() throws {
        let log = try TestLog(options: Fixtures.options(segmentBytes: 64 << 10, snapshotEvery: 500))
        defer {
            log.close()
            log.dir.remove()
        }
        let records = 2_000
        for start in stride(from: 1, through: records, by: 100) {
            let batch = (start..<(start + 100)).map { Fixtures.payload($0) }
            for (i, p) in batch.enumerated() { log.writer.submit(p, ticket: UInt64(start + i)) }
            _ = log.wait(for: batch.count, payloads: Dictionary(uniqueKeysWithValues: batch.enumerated().map { (UInt64(start + $0), $1) }))
        }
        // A hand-over refused while one was being written is repeated (maintenance hands too).
        waitUntil {
            log.writer.requestMaintenance(log.index)
            return log.writer.snapshotSeq >= 2_000 && log.writer.snapshotThreadBytes > 0
        }
        let kept = log.writer.snapshotThreadBytes
        let index = log.index.memoryByPart()
        let tables = index.filter { $0.part != "segments" }.reduce(0) { $0 + $1.bytes }
        let segments = index.first { $0.part == "segments" }!.bytes
        #expect(kept > 0)
        #expect(kept <= segments + 4_096, "O(segments): \(kept) bytes kept, the index's segment map is \(segments)")
        #expect(kept * 20 < tables, "no table: \(kept) bytes kept, the tables are \(tables)")
    }

    @Test("shutdown writes the final snapshot, with the records it drained")
    func shutdownWritesTheFinalSnapshot() throws {
        let log = try TestLog(options: Fixtures.options(snapshotEvery: 0))
        defer {
            log.probe.uninstall()
            log.dir.remove()
        }
        log.append((1...5).map { Fixtures.payload($0) })
        var payloads: [UInt64: LogPayload] = [:]
        for n in 6...30 {
            payloads[UInt64(n)] = Fixtures.payload(n)
            log.writer.submit(payloads[UInt64(n)]!, ticket: UInt64(n))
        }
        // As the loop does: the last completions go into the index before it is handed.
        log.writer.shutdown {
            for c in log.writer.takeCompletions() {
                if case .success(let a) = c.result { log.index.apply(payloads[c.ticket]!, at: a, frameBytes: c.frameBytes) }
            }
            return log.index
        }
        #expect(log.index.lastSeq == 30)
        #expect(log.writer.snapshotSeq == 30)
        #expect(try readSnapshot(log, seq: 30) == log.index)
        let again = try TestLog(dir: log.dir)
        defer { again.close() }
        #expect(again.opened.report.snapshotSeq == 30)
        #expect(again.opened.report.recordsReplayed == 0)
    }
}

import PayhookPosix
import TestSupport
import Testing

@testable import PayhookLog

@Suite struct RejectStoreTests {
    private func entry(_ n: Int) -> RejectEntry {
        RejectEntry(
            receivedAtMs: 1_795_341_600_000 + Int64(n), source: "nonstopay-payin", request: Fixtures.request(bodyBytes: 100),
            reason: "bad_signature: HMAC mismatch #\(n)")
    }

    @Test("entries round-trip byte for byte, oldest first")
    func roundTrip() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try RejectStore(dir: dir.path)
        for n in 1...3 { store.record(entry(n)) }
        store.shutdown()
        let listed = try RejectStore.list(dir: dir.path)
        #expect(listed.map(\.id) == [1, 2, 3])
        for (i, e) in listed.enumerated() {
            var want = entry(i + 1)
            want.id = UInt64(i + 1)
            want.request.bodyIsJSON = false
            #expect(e == want)
        }
    }

    @Test("bound: total exactly rejects_max_bytes keeps every entry; one byte less drops the oldest", arguments: [0, -1])
    func bound(slack: Int) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let size = entry(1).encoded().count
        #expect(entry(2).encoded().count == size)
        #expect(entry(1).encodedBytes == size)
        let store = try RejectStore(dir: dir.path, maxBytes: 2 * size + slack)
        store.record(entry(1))
        store.record(entry(2))
        store.shutdown()
        // Which entries survived, by their receive time (ids are given at write time).
        let kept = try RejectStore.list(dir: dir.path).map { $0.receivedAtMs - 1_795_341_600_000 }
        #expect(kept == (slack == 0 ? [1, 2] : [2]))
    }

    @Test("the oldest entries go first as new ones arrive, also across restarts")
    func oldestDroppedAcrossRestart() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let size = entry(1).encoded().count
        var store = try RejectStore(dir: dir.path, maxBytes: 3 * size)
        for n in 1...3 { store.record(entry(n)) }
        store.shutdown()
        store = try RejectStore(dir: dir.path, maxBytes: 3 * size)
        store.record(entry(4))
        store.shutdown()
        #expect(try RejectStore.list(dir: dir.path).map(\.id) == [2, 3, 4])
    }

    @Test("an entry larger than the whole bound is dropped and counted")
    func tooLargeDropped() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try RejectStore(dir: dir.path, maxBytes: 50)
        store.record(entry(1))
        store.shutdown()
        #expect(try RejectStore.list(dir: dir.path).isEmpty)
        #expect(store.droppedCount.load(ordering: .relaxed) == 1)
    }

    @Test("marking an entry re-ingested is durable and visible to the next list")
    func markReingested() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try RejectStore(dir: dir.path)
        store.record(entry(1))
        store.record(entry(2))
        store.shutdown()
        try RejectStore.markReingested(dir: dir.path, id: 1)
        let listed = try RejectStore.list(dir: dir.path)
        #expect(listed.map(\.reingested) == [true, false])
        #expect(throws: SyscallError.self) { try RejectStore.markReingested(dir: dir.path, id: 1) }
    }

    @Test("rejects are written by the store thread without fdatasync")
    func recordQueues() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let probe = FileProbe.install(dir: dir.path)
        defer { probe.uninstall() }
        let store = try RejectStore(dir: dir.path)
        for n in 1...100 { store.record(entry(n)) }
        store.shutdown()
        #expect(store.storedCount.load(ordering: .relaxed) == 100)
        #expect(probe.count(of: .fdatasync) == 0)
    }
}

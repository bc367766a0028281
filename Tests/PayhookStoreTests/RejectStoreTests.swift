import PayhookPosix
import Synchronization
import TestSupport
import Testing

@testable import PayhookLog
@testable import PayhookStore

@Suite struct RejectStoreTests {
    static let t0: Int64 = 1_795_341_600_000

    static func entry(_ n: Int, client: String = "203.0.113.7") -> RejectEntry {
        var request = Fixtures.request(bodyBytes: 100)
        request.clientAddress = client
        return RejectEntry(receivedAtMs: t0 + Int64(n), source: "nonstopay-payin", request: request, reason: "bad_signature: HMAC mismatch #\(n)")
    }
    static var size: Int { entry(1).encoded().count }

    /// Options that never sample (unless a test says so) and never see a full disk.
    static func options(maxBytes: Int, segments: Int = 2) -> RejectStoreOptions {
        var o = RejectStoreOptions()
        o.maxBytes = maxBytes
        o.segments = segments
        o.clientBurst = 1_000_000
        o.reserveBytes = 0
        return o
    }

    static func kept(_ dir: String) throws -> [Int64] {
        try RejectStore.list(dir: dir).map { $0.receivedAtMs - t0 }
    }

    @Test("entries round-trip byte for byte, oldest first, ids dense")
    func roundTrip() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try RejectStore(dir: dir.path)
        for n in 1...3 { store.record(Self.entry(n)) }
        store.shutdown()
        let listed = try RejectStore.list(dir: dir.path)
        #expect(listed.map(\.id) == [1, 2, 3])
        for (i, e) in listed.enumerated() {
            var want = Self.entry(i + 1)
            want.id = UInt64(i + 1)
            want.request.bodyIsJSON = false
            #expect(e == want)
        }
    }

    @Test(
        "bound on disk: 2 segments of 2 entries keep 4 (N); a 5th deletes the oldest segment (N+1); one byte less holds 1 per segment",
        arguments: [(4, 0, [1, 2, 3, 4] as [Int64]), (5, 0, [3, 4, 5]), (4, -2, [3, 4])])
    func bound(records: Int, slack: Int, want: [Int64]) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        #expect(Self.entry(9).encodedBytes == Self.size)
        let maxBytes = 4 * Self.size + slack
        let store = try RejectStore(dir: dir.path, options: Self.options(maxBytes: maxBytes))
        for n in 1...records { store.record(Self.entry(n)) }
        store.shutdown()
        #expect(try Self.kept(dir.path) == want)
        let names = try FileSystem.list(dir.path + "/rejects")
        let onDisk = try names.reduce(Int64(0)) { $0 + (try FileSystem.size(dir.path + "/rejects/" + $1) ?? 0) }
        #expect(names.count <= 2 && onDisk <= Int64(maxBytes), "\(names) \(onDisk)")
    }

    @Test("a restart starts a new segment; the oldest segment still goes first")
    func oldestDroppedAcrossRestart() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let options = Self.options(maxBytes: 4 * Self.size)
        var store = try RejectStore(dir: dir.path, options: options)
        for n in 1...3 { store.record(Self.entry(n)) }
        store.shutdown()
        store = try RejectStore(dir: dir.path, options: options)
        store.record(Self.entry(4))
        store.shutdown()
        let listed = try RejectStore.list(dir: dir.path)
        #expect(listed.map { $0.receivedAtMs - Self.t0 } == [3, 4])
        #expect(listed[0].id < listed[1].id)
    }

    @Test("larger than a segment: the body is cut to fit and the reason says so; headers alone too large: dropped and counted")
    func tooLarge() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var store = try RejectStore(dir: dir.path, options: Self.options(maxBytes: 2 * (Self.size - 40)))
        store.record(Self.entry(1))
        store.shutdown()
        let cut = try RejectStore.list(dir: dir.path)
        #expect(cut.count == 1 && cut.first?.reason.hasSuffix("(body truncated)") == true)
        #expect(cut.first.map { $0.encodedBytes <= Self.size - 40 } == true)
        store = try RejectStore(dir: dir.path + "/small", options: Self.options(maxBytes: 100))
        store.record(Self.entry(1))
        store.shutdown()
        #expect(store.droppedCount(.tooLarge) == 1)
        #expect(try RejectStore.list(dir: dir.path + "/small").isEmpty)
    }

    @Test("free space: reserve + the batch exactly is written (N), one byte less is dropped as disk_reserve (N+1)", arguments: [0, -1])
    func reserve(slack: Int64) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var options = Self.options(maxBytes: 1_048_576)
        options.reserveBytes = 1_000_000
        let free = 1_000_000 + Int64(Self.size) + slack
        options.availableBytes = { _ in free }
        let store = try RejectStore(dir: dir.path, options: options)
        store.record(Self.entry(1))
        store.shutdown()
        #expect(try RejectStore.list(dir: dir.path).count == (slack == 0 ? 1 : 0))
        #expect(store.droppedCount(.diskReserve) == (slack == 0 ? 0 : 1))
    }

    @Test("the queue holds N entries, the one being written included; entry N+1 is dropped as queue_full while the writer is stuck")
    func queueBound() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let gate = Gate()
        var options = Self.options(maxBytes: 1_048_576)
        options.queueEntries = 4
        options.availableBytes = { _ in
            gate.wait()
            return nil
        }
        let store = try RejectStore(dir: dir.path, options: options)
        store.record(Self.entry(0))  // taken by the writer, which then waits at the gate
        while !gate.isWaiting { IO.sleep(ms: 1) }
        for n in 1...4 { store.record(Self.entry(n)) }
        #expect(store.droppedCount(.queueFull) == 1)
        gate.open()
        store.shutdown()
        #expect(try Self.kept(dir.path) == [0, 1, 2, 3])
    }

    @Test("shutdown drops what is still queued past rejects_shutdown_ms, counted, instead of waiting for it")
    func shutdownDeadline() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var options = Self.options(maxBytes: 1_048_576)
        options.shutdownMs = 0
        options.availableBytes = { _ in
            IO.sleep(ms: 20)  // a slow disk
            return nil
        }
        let store = try RejectStore(dir: dir.path, options: options)
        for n in 1...200 { store.record(Self.entry(n)) }
        store.shutdown()
        #expect(store.droppedCount(.shutdown) > 0)
        #expect(store.storedCount + store.droppedCount(.shutdown) == 200)
    }

    @Test("fairness: a flood from one client is sampled and does not evict the single reject of another", arguments: [5, 1_000_000])
    func fairness(burst: Int) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        // Room for 8 entries (their client addresses are one byte longer than the default's).
        var options = Self.options(maxBytes: 8 * (Self.size + 1), segments: 4)
        options.clientBurst = burst
        options.queueEntries = 65_536
        options.queueBytes = 268_435_456
        let store = try RejectStore(dir: dir.path, options: options, clock: ManualClock())
        store.record(Self.entry(0, client: "198.51.100.1"))
        for n in 1...1000 { store.record(Self.entry(n, client: "203.0.113.66")) }
        store.shutdown()
        let clients = try RejectStore.list(dir: dir.path).map(\.request.clientAddress)
        if burst == 5 {
            #expect(clients.first == "198.51.100.1" && clients.count == 6, "\(clients)")
            #expect(store.droppedCount(.sampled) == 995)
        } else {
            #expect(!clients.contains("198.51.100.1"))  // without sampling the flood evicts it
        }
    }

    @Test("marking an entry re-ingested is durable and visible to the next list; twice or unknown is an error")
    func markReingested() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try RejectStore(dir: dir.path)
        store.record(Self.entry(1))
        store.record(Self.entry(2))
        store.shutdown()
        try RejectStore.markReingested(dir: dir.path, id: 1)
        let listed = try RejectStore.list(dir: dir.path)
        #expect(listed.map(\.reingested) == [true, false])
        #expect(throws: SyscallError.self) { try RejectStore.markReingested(dir: dir.path, id: 1) }
        #expect(throws: SyscallError.self) { try RejectStore.markReingested(dir: dir.path, id: 3) }
    }

    @Test("a segment cut in the middle of a frame lists the frames before the cut")
    func tornTail() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try RejectStore(dir: dir.path)
        for n in 1...3 { store.record(Self.entry(n)) }
        store.shutdown()
        let name = try #require(try FileSystem.list(dir.path + "/rejects").first { $0.hasSuffix(".rjs") })
        let path = dir.path + "/rejects/" + name
        let bytes = try LogVerify.readAll(path)
        try IO.replaceFile(path, with: Array(bytes.dropLast(7)))
        #expect(try Self.kept(dir.path) == [1, 2])
    }

    @Test("rejects are written by the store thread without fdatasync")
    func recordQueues() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let probe = FileProbe.install(dir: dir.path)
        defer { probe.uninstall() }
        var options = RejectStoreOptions()
        options.clientBurst = 1000
        let store = try RejectStore(dir: dir.path, options: options)
        for n in 1...100 { store.record(Self.entry(n)) }
        store.shutdown()
        #expect(store.storedCount == 100)
        #expect(probe.count(of: .fdatasync) == 0)
    }
}

/// Holds a thread until opened.
final class Gate: Sendable {
    private let state = Mutex((open: false, waiting: false))
    var isWaiting: Bool { state.withLock { $0.waiting } }
    func open() { state.withLock { $0.open = true } }
    func wait() {
        state.withLock { $0.waiting = true }
        while !state.withLock({ $0.open }) { IO.sleep(ms: 1) }
    }
}

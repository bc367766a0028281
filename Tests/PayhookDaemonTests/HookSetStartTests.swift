import Glibc
import PayhookHooks
import PayhookLog
import PayhookPosix
import PayhookStore
import TestSupport
import Testing

@testable import PayhookDaemon

/// `HookSet.init` against a real log and real threads: a start that fails on a damaged cursor
/// leaves no thread of its own behind (the daemon may go on, e.g. a test or a reload retry).
@Suite struct HookSetStartTests {
    /// Threads of this process whose name (`/proc/self/task/N/comm`, 15 bytes at most) is `name`.
    static func threads(named name: String) -> Int {
        let tasks = (try? FileSystem.list("/proc/self/task")) ?? []
        return tasks.filter { task in
            guard let f = fopen("/proc/self/task/\(task)/comm", "r") else { return false }
            defer { fclose(f) }
            var line = [CChar](repeating: 0, count: 64)
            guard fgets(&line, Int32(line.count), f) != nil else { return false }
            let comm = String(decoding: line.prefix(while: { $0 != 0 && $0 != 10 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return comm == name
        }.count
    }

    @Test("a cursor that fails to load stops the reader and cursor threads the start had begun")
    func damagedCursorLeavesNoThread() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = EventStore(opened: try Log.open(dir: dir.path, isDelivered: { _ in true }, onDurable: {}))
        defer { store.shutdown() }
        let loop = try EventLoop(capacity: 16)
        let fetcher = try RecordFetcher(reader: store.reader, executor: loop.executor)
        defer { fetcher.shutdown() }
        try FileSystem.makeDirectories(dir.path + "/hooks")
        // The second hook's cursor is damage: the first hook's driver is made before it fails.
        let damaged = fopen(HookCursor.path(directory: dir.path + "/hooks", hook: "b"), "w")!
        fputs("not a cursor", damaged)
        fclose(damaged)
        let hooks = [Config.Hook(name: "a", target: .url("http://127.0.0.1:9/x")), Config.Hook(name: "b", target: .url("http://127.0.0.1:9/x"))]
        let before = (Self.threads(named: "payhookd-hookre"), Self.threads(named: "payhookd-cursor"))
        // Several starts: other tests of this process may run a thread of the same name meanwhile,
        // never this many.
        let starts = 8
        for _ in 0..<starts {
            #expect(throws: HookCursor.FileError.self) {
                _ = try HookSet(
                    hooks: hooks, storageDir: dir.path, store: store, fetcher: fetcher, loop: loop, clock: SystemClock(),
                    progress: HookProgress(hasHooks: true))
            }
        }
        let after = (Self.threads(named: "payhookd-hookre"), Self.threads(named: "payhookd-cursor"))
        #expect(after.0 - before.0 < starts / 2, "reader threads: \(before.0) before, \(after.0) after \(starts) failed starts")
        #expect(after.1 - before.1 < starts / 2, "cursor threads: \(before.1) before, \(after.1) after \(starts) failed starts")
    }
}

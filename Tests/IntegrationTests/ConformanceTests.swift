import Glibc
import Synchronization
import Testing

/// Replays every Http11Probe case against the real daemon's ingest listener.
@Suite struct ConformanceTests {
    /// `../shared/conformance` next to the repository (the main checkout or a worktree).
    static var casesPath: String? {
        let root = #filePath.replacingSuffix("/Tests/IntegrationTests/ConformanceTests.swift")
        for candidate in [root + "/../shared/conformance", root + "/../../shared/conformance"] {
            let path = candidate + "/http11probe.json"
            if access(path, R_OK) == 0 { return path }
        }
        return nil
    }

    @Test("every `must` case of http11probe.json passes on the ingest listener; should/may scores printed")
    func http11probe() throws {
        guard let path = Self.casesPath else {
            print("skipped: ../shared/conformance/http11probe.json not found next to the repository")
            return
        }
        let cases = try ConformanceCase.load(path)
        try #require(!cases.isEmpty)
        let d = try DaemonProcess(server: ephemeralServer("header_timeout_ms = 3000"))
        let address = d.ingest
        let results = Mutex<[(ConformanceCase, Verdict, String)]>([])
        let next = Atomic<Int>(0)
        // Cases that wait for a timeout take a second each: run them 16 at a time.
        let workers = (0..<16).map { _ in
            Worker {
                while true {
                    let i = next.add(1, ordering: .relaxed).oldValue
                    guard i < cases.count else { return }
                    let (verdict, why) = cases[i].run(address: address)
                    results.withLock { $0.append((cases[i], verdict, why)) }
                }
            }
        }
        for w in workers { w.join() }
        let all = results.withLock { $0 }.sorted { $0.0.id < $1.0.id }
        for level in ["must", "should", "may"] {
            let these = all.filter { $0.0.level == level }
            let pass = these.filter { $0.1 == .pass }.count
            let warn = these.filter { $0.1 == .warn }.count
            print("http11probe \(level): \(pass)/\(these.count) pass, \(warn) warn, \(these.count - pass - warn) fail")
        }
        for (c, verdict, why) in all where verdict != .pass {
            print("http11probe \(c.level) \(c.id): \(verdict) (\(why))")
        }
        for (c, verdict, why) in all where c.level == "must" && verdict == .fail {
            Issue.record("must case \(c.id) failed: \(why)")
        }
    }
}

/// A joinable pthread.
final class Worker: @unchecked Sendable {
    private var handle = pthread_t()
    private let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) {
        self.body = body
        pthread_create(
            &handle, nil,
            { raw in
                Unmanaged<Worker>.fromOpaque(raw!).takeRetainedValue().body()
                return nil
            }, Unmanaged.passRetained(self).toOpaque())
    }
    func join() { pthread_join(handle, nil) }
}

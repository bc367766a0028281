import Synchronization

/// Test instrumentation for files under one directory: counts write and sync calls and, in debug
/// builds, injects failures (`arm`) and short writes (`armShortWrite`) through its own
/// `FaultInjection` table.
///
/// Unlike `FaultInjection.shared`, which matches a call name process-wide, a probe only affects
/// files whose path starts with its directory, so tests that run in parallel (each in its own
/// temporary directory) do not steal each other's faults. Files capture their probe when opened.
public final class FileProbe: Sendable {
    public enum Counter: Int, Sendable { case write, fdatasync, fsync }

    public let dir: String
    private let writes = Atomic<Int>(0)
    private let fdatasyncs = Atomic<Int>(0)
    private let fsyncs = Atomic<Int>(0)
    /// Failures armed for files under the directory; short writes are the pseudo-call
    /// `short-write`.
    private let faults = FaultInjection()

    private static let registry = Mutex<[String: FileProbe]>([:])
    private static let installed = Atomic<Int>(0)

    private init(dir: String) { self.dir = dir.hasSuffix("/") ? dir : dir + "/" }

    /// Installs a probe for every file opened under `dir` from now on.
    public static func install(dir: String) -> FileProbe {
        let probe = FileProbe(dir: dir)
        let replaced = registry.withLock { $0.updateValue(probe, forKey: probe.dir) != nil }
        if !replaced { installed.add(1, ordering: .sequentiallyConsistent) }
        return probe
    }

    /// Removes the probe (files already open keep counting into it).
    /// Idempotent.
    public func uninstall() {
        let removed = Self.registry.withLock { table -> Bool in
            guard table[dir] === self else { return false }
            table[dir] = nil
            return true
        }
        if removed { Self.installed.subtract(1, ordering: .sequentiallyConsistent) }
    }

    static func lookup(_ path: String) -> FileProbe? {
        if installed.load(ordering: .relaxed) == 0 { return nil }
        return registry.withLock { table in
            table.first(where: { path.hasPrefix($0.key) })?.value
        }
    }

    /// How many calls of `counter` went through files under the directory.
    public func count(of counter: Counter) -> Int {
        switch counter {
        case .write: writes.load(ordering: .relaxed)
        case .fdatasync: fdatasyncs.load(ordering: .relaxed)
        case .fsync: fsyncs.load(ordering: .relaxed)
        }
    }

    func count(_ counter: Counter) {
        switch counter {
        case .write: writes.add(1, ordering: .relaxed)
        case .fdatasync: fdatasyncs.add(1, ordering: .relaxed)
        case .fsync: fsyncs.add(1, ordering: .relaxed)
        }
    }

    /// Fails the next `count` calls named `call` (`pwrite`, `fdatasync`, `fsync`, `open`,
    /// `ftruncate`, `rename`, `pread`) after letting `skip` through. Debug builds only.
    public func arm(_ call: String, _ errno: Errno, count: Int = 1, skip: Int = 0) {
        faults.arm(call, errno, count: count, skip: skip)
    }

    /// Makes the next `count` write calls write only half of what they were given.
    public func armShortWrite(count: Int = 1, skip: Int = 0) {
        faults.arm(Self.shortWrite, .io, count: count, skip: skip)
    }

    public func disarmAll() { faults.disarmAll() }

    private static let shortWrite = "short-write"

    func takeFault(_ call: String) -> Errno? {
        #if DEBUG
            return faults.take(call)
        #else
            return nil
        #endif
    }

    func takeShortWrite() -> Bool {
        #if DEBUG
            return faults.take(Self.shortWrite) != nil
        #else
            return false
        #endif
    }
}

import Synchronization

/// Debug-build fault injection for the syscall funnel: `arm("fdatasync", .io, count: 1)` makes the
/// next `fdatasync` fail with EIO. Tests and the `PAYHOOKD_FAULTS` environment variable (read by
/// the daemon in debug builds, format `call:errno:count,...`) use it. Release builds compile it out
/// of the funnel.
public final class FaultInjection: Sendable {
    public static let shared = FaultInjection()

    private struct Armed {
        var errno: Errno
        var remaining: Int
        var skip: Int
    }
    private let armed = Mutex<[String: Armed]>([:])

    /// Fails the next `count` calls named `call` with `errno`, after letting `skip` calls through.
    public func arm(_ call: String, _ errno: Errno, count: Int = 1, skip: Int = 0) {
        armed.withLock { $0[call] = Armed(errno: errno, remaining: count, skip: skip) }
    }

    public func disarmAll() { armed.withLock { $0.removeAll() } }

    /// Consumes one armed failure for `call`, if any.
    public func take(_ call: StaticString) -> Errno? {
        armed.withLock { table -> Errno? in
            if table.isEmpty { return nil }
            let key = String(describing: call)
            guard var entry = table[key] else { return nil }
            if entry.skip > 0 {
                entry.skip -= 1
                table[key] = entry
                return nil
            }
            entry.remaining -= 1
            if entry.remaining <= 0 { table[key] = nil } else { table[key] = entry }
            return entry.errno
        }
    }
}

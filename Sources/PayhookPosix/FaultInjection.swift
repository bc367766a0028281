import Synchronization

/// Debug-build fault injection, one mechanism at two scopes: a table of armed failures by call
/// name. `FaultInjection.shared` is matched by every call through the syscall funnel (tests, and
/// the daemon's `PAYHOOKD_FAULTS` variable, format `call:errno:count[:skip],...`); each
/// `FileProbe` holds its own table, matched only by file calls under its directory, so tests that
/// run in parallel do not take each other's faults. Release builds compile the lookups out of
/// the funnel.
public final class FaultInjection: Sendable {
    public static let shared = FaultInjection()

    private struct Armed {
        var errno: Errno
        var remaining: Int
        var skip: Int
    }
    private let armed = Mutex<[String: Armed]>([:])

    public init() {}

    /// Fails the next `count` calls named `call` with `errno`, after letting `skip` calls through.
    public func arm(_ call: String, _ errno: Errno, count: Int = 1, skip: Int = 0) {
        armed.withLock { $0[call] = Armed(errno: errno, remaining: count, skip: skip) }
    }

    public func disarmAll() { armed.withLock { $0.removeAll() } }

    /// Consumes one armed failure for `call`, if any.
    public func take(_ call: StaticString) -> Errno? { take(String(describing: call)) }

    /// Consumes one armed failure for `call`, if any.
    public func take(_ call: String) -> Errno? {
        armed.withLock { table -> Errno? in
            if table.isEmpty { return nil }
            guard var entry = table[call] else { return nil }
            if entry.skip > 0 {
                entry.skip -= 1
                table[call] = entry
                return nil
            }
            entry.remaining -= 1
            if entry.remaining <= 0 { table[call] = nil } else { table[call] = entry }
            return entry.errno
        }
    }
}

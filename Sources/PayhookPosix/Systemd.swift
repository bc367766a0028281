import CLinuxShim
import Glibc

/// The environment, read once. The corresponding C function is `getenv`.
public func environment(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}

/// sd_notify(3) without libsystemd: datagrams to `$NOTIFY_SOCKET` (a path, or an abstract name
/// written with a leading `@`). Without `NOTIFY_SOCKET` every call is a no-op.
public final class SystemdNotifier {
    private let address: SocketAddress?
    private let fd: Int32
    /// The watchdog period systemd expects pings within (`WATCHDOG_USEC`), if this process is
    /// the one being watched (`WATCHDOG_PID` absent or equal to ours).
    public let watchdogIntervalMs: Int64?

    public init(environment env: (String) -> String? = environment) {
        var addr: SocketAddress? = nil
        if let path = env("NOTIFY_SOCKET"), path.hasPrefix("/") || path.hasPrefix("@"), path.utf8.count <= 107 {
            var sa = SocketAddress()
            var sun = sockaddr_un()
            sun.sun_family = sa_family_t(AF_UNIX)
            var bytes = Array(path.utf8)
            if bytes[0] == UInt8(ascii: "@") { bytes[0] = 0 }  // abstract namespace
            withUnsafeMutableBytes(of: &sun.sun_path) { $0.copyBytes(from: bytes) }
            withUnsafeMutableBytes(of: &sa.storage) { dst in withUnsafeBytes(of: &sun) { dst.copyMemory(from: $0) } }
            sa.length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
            addr = sa
        }
        address = addr
        fd = addr == nil ? -1 : ((try? syscallOrThrow("socket") { cshim_socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue)) }) ?? -1)
        var watchdog: Int64? = nil
        if let usec = env("WATCHDOG_USEC").flatMap({ Int64($0) }), usec > 0 {
            let pid = env("WATCHDOG_PID").flatMap { Int32($0) }
            if pid == nil || pid == getpid() { watchdog = usec / 1000 }
        }
        watchdogIntervalMs = watchdog
    }

    deinit { if fd >= 0 { IO.close(fd) } }

    public var isEnabled: Bool { fd >= 0 }

    /// Sends `state` (e.g. "READY=1\nSTATUS=serving"). Errors are returned, not fatal: a daemon
    /// must keep running when the manager's socket is gone. The corresponding C function is
    /// `sendto`.
    @discardableResult
    public func notify(_ state: String) -> SyscallError? {
        guard fd >= 0, let address else { return nil }
        var bytes = Array(state.utf8)
        do {
            _ = try syscallOrThrow("sendto") {
                address.withSockAddr { sa, len in
                    bytes.withUnsafeMutableBytes { Int(sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), sa, len)) }
                }
            }
            return nil
        } catch { return error }
    }
}

/// systemd socket activation (sd_listen_fds(3)): sockets passed from fd 3 on, named by
/// `LISTEN_FDNAMES` (`ingest` / `admin` for payhookd).
public enum SocketActivation {
    /// The first passed fd (`SD_LISTEN_FDS_START`).
    public static let firstFD: Int32 = 3

    /// The inherited sockets with their names, or an empty list when the environment is not
    /// meant for this process. The variables are removed so child processes do not see them,
    /// and each fd is made non-blocking and close-on-exec.
    public static func inherited(environment env: (String) -> String? = environment, unset: Bool = true) throws(SyscallError) -> [(
        fd: Int32, name: String
    )] {
        guard let pid = env("LISTEN_PID").flatMap({ Int32($0) }), pid == getpid(),
            let count = env("LISTEN_FDS").flatMap({ Int32($0) }), count > 0
        else { return [] }
        let names = (env("LISTEN_FDNAMES") ?? "").split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if unset { for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] { unsetenv(name) } }
        var result: [(fd: Int32, name: String)] = []
        for i in 0..<count {
            let fd = firstFD + i
            try Socket.setNonBlockingCloseOnExec(fd)
            result.append((fd, Int(i) < names.count ? names[Int(i)] : "unknown"))
        }
        return result
    }
}

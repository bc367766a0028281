import CLinuxShim
import Glibc

/// What an fd is ready for (a subset of epoll's event bits).
public struct IOEvents: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let readable = IOEvents(rawValue: EPOLLIN.rawValue)
    public static let writable = IOEvents(rawValue: EPOLLOUT.rawValue)
    /// The peer closed its sending side (EPOLLRDHUP).
    public static let readHangup = IOEvents(rawValue: EPOLLRDHUP.rawValue)
    public static let hangup = IOEvents(rawValue: EPOLLHUP.rawValue)
    public static let error = IOEvents(rawValue: EPOLLERR.rawValue)
}

/// An epoll instance. Level-triggered: a handler that leaves input unread is called again,
/// which keeps fairness simple (each connection reads one buffer per turn).
public final class Epoll {
    public let fd: Int32
    /// Events fetched per `epoll_wait` at most (the shim's stack buffer holds 256).
    public static let maxEventsPerWait = 256
    private var events = [UInt32](repeating: 0, count: maxEventsPerWait)
    private var data = [UInt64](repeating: 0, count: maxEventsPerWait)

    /// The corresponding C function is `epoll_create1`.
    public init() throws(SyscallError) { fd = try syscallOrThrow("epoll_create1") { cshim_epoll_create() } }
    deinit { IO.close(fd) }

    /// The corresponding C function is `epoll_ctl` (EPOLL_CTL_ADD).
    public func add(_ target: Int32, _ interest: IOEvents, data: UInt64) throws(SyscallError) {
        _ = try syscallOrThrow("epoll_ctl") { cshim_epoll_ctl(fd, EPOLL_CTL_ADD, target, interest.rawValue, data) }
    }

    /// The corresponding C function is `epoll_ctl` (EPOLL_CTL_MOD).
    public func modify(_ target: Int32, _ interest: IOEvents, data: UInt64) throws(SyscallError) {
        _ = try syscallOrThrow("epoll_ctl") { cshim_epoll_ctl(fd, EPOLL_CTL_MOD, target, interest.rawValue, data) }
    }

    /// The corresponding C function is `epoll_ctl` (EPOLL_CTL_DEL).
    public func remove(_ target: Int32) {
        _ = try? syscall("epoll_ctl") { cshim_epoll_ctl(fd, EPOLL_CTL_DEL, target, 0, 0) }
    }

    /// Waits up to `timeoutMs` (-1: forever) and calls `body` per ready fd with its data word.
    /// The corresponding C function is `epoll_wait`.
    public func wait(timeoutMs: Int32, _ body: (IOEvents, UInt64) -> Void) throws(SyscallError) -> Int {
        let n = try events.withUnsafeMutableBufferPointer { ev throws(SyscallError) -> Int32 in
            try data.withUnsafeMutableBufferPointer { d throws(SyscallError) -> Int32 in
                try syscallOrThrow("epoll_wait") {
                    cshim_epoll_wait(fd, ev.baseAddress, d.baseAddress, Int32(Epoll.maxEventsPerWait), timeoutMs)
                }
            }
        }
        for i in 0..<Int(n) { body(IOEvents(rawValue: events[i]), data[i]) }
        return Int(n)
    }
}

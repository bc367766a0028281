import CLinuxShim
import Glibc

/// An eventfd: a counter another thread increments to wake the loop.
public final class EventFD: Sendable {
    public let fd: Int32
    /// The corresponding C function is `eventfd` (non-blocking, close-on-exec).
    public init() throws(SyscallError) { fd = try syscallOrThrow("eventfd") { cshim_eventfd(0) } }
    deinit { IO.close(fd) }

    /// Adds 1 to the counter; safe from any thread. EAGAIN (counter at its maximum) still means
    /// the fd is readable, so it is ignored. The corresponding C function is `write`.
    public func signal() {
        var one: UInt64 = 1
        _ = try? syscall("write", allowWouldBlock: true) { Glibc.write(fd, &one, 8) }
    }

    /// Reads and resets the counter: how many signals arrived (0 if none).
    public func drain() -> UInt64 {
        var value: UInt64 = 0
        let n = try? syscall("read", allowWouldBlock: true) { Glibc.read(fd, &value, 8) }
        return n == 8 ? value : 0
    }
}

/// A timerfd on CLOCK_MONOTONIC: readable when it expires.
public final class TimerFD {
    public let fd: Int32
    /// The corresponding C function is `timerfd_create`.
    public init() throws(SyscallError) { fd = try syscallOrThrow("timerfd_create") { cshim_timerfd_create() } }
    deinit { IO.close(fd) }

    /// Arms the timer to fire after `afterMs` and then every `intervalMs` (0: once); `afterMs`
    /// 0 disarms it. The corresponding C function is `timerfd_settime`.
    public func set(afterMs: Int64, intervalMs: Int64 = 0) throws(SyscallError) {
        _ = try syscallOrThrow("timerfd_settime") { cshim_timerfd_settime_ms(fd, afterMs, intervalMs) }
    }

    /// Expirations since the last read (0 if none).
    public func drain() -> UInt64 {
        var value: UInt64 = 0
        let n = try? syscall("read", allowWouldBlock: true) { Glibc.read(fd, &value, 8) }
        return n == 8 ? value : 0
    }
}

/// A signalfd for the daemon's control signals. Creating it blocks those signals in the calling
/// thread and in threads it starts later, so create it before any other thread.
public final class SignalFD {
    public let fd: Int32
    /// The corresponding C functions are `pthread_sigmask` and `signalfd`.
    public init(signals: [Int32]) throws(SyscallError) {
        fd = try signals.withUnsafeBufferPointer { buf throws(SyscallError) in
            try syscallOrThrow("signalfd") { cshim_signalfd(buf.baseAddress, Int32(buf.count)) }
        }
    }
    deinit { IO.close(fd) }

    /// The next pending signal and the pid that sent it, or nil when none is pending.
    /// The corresponding C function is `read` on a signalfd (`struct signalfd_siginfo`).
    public func next() -> (signal: Int32, senderPID: Int32)? {
        var info = signalfd_siginfo()
        let size = MemoryLayout<signalfd_siginfo>.size
        let n = try? syscall("read", allowWouldBlock: true) { Glibc.read(fd, &info, size) }
        guard let n, n == size else { return nil }
        return (Int32(info.ssi_signo), Int32(bitPattern: info.ssi_pid))
    }
}

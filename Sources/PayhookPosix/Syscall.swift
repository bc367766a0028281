import CLinuxShim
import Glibc

/// The one funnel every system call of payhookd goes through.
///
/// - EINTR is retried.
/// - EAGAIN/EWOULDBLOCK becomes `nil` ("would block") when `blocking` is allowed.
/// - EBADF and EFAULT are programmer errors: they trap, since continuing would corrupt state.
/// - Anything else throws a `SyscallError` naming the call.
///
/// In debug builds, `FaultInjection` can make a named call fail with a chosen errno, so that
/// ENOSPC, EIO and short-write paths are tested without a full disk.
@inline(__always)
public func syscall<T: FixedWidthInteger>(
    _ name: StaticString, allowWouldBlock: Bool = false, _ body: () -> T
) throws(SyscallError) -> T? {
    while true {
        #if DEBUG
            if let injected = FaultInjection.shared.take(name) {
                throw SyscallError(call: String(describing: name), errno: injected)
            }
        #endif
        let result = body()
        if result >= 0 { return result }
        let err = cshim_errno()
        switch err {
        case EINTR: continue
        case EAGAIN where allowWouldBlock, EWOULDBLOCK where allowWouldBlock: return nil
        case EBADF, EFAULT:
            fatalError("\(name): \(Errno(err)) (programmer error)")
        default:
            throw SyscallError(call: String(describing: name), errno: Errno(err))
        }
    }
}

/// `syscall` for calls that cannot report "would block".
@inline(__always)
public func syscallOrThrow<T: FixedWidthInteger>(_ name: StaticString, _ body: () -> T) throws(SyscallError) -> T {
    // allowWouldBlock is false, so the funnel never returns nil.
    try syscall(name, allowWouldBlock: false, body)!
}

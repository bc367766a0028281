import CLinuxShim
import Glibc

/// A POSIX error number, typed. The corresponding C value is `errno`.
public struct Errno: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    public static let interrupted = Errno(EINTR)
    public static let wouldBlock = Errno(EAGAIN)
    public static let noSpace = Errno(ENOSPC)
    public static let io = Errno(EIO)
    public static let badFD = Errno(EBADF)
    public static let fault = Errno(EFAULT)
    public static let tooManyFiles = Errno(EMFILE)
    public static let tooManyFilesSystem = Errno(ENFILE)
    public static let noEntry = Errno(ENOENT)
    public static let exists = Errno(EEXIST)
    public static let inProgress = Errno(EINPROGRESS)
    public static let connectionReset = Errno(ECONNRESET)
    public static let brokenPipe = Errno(EPIPE)

    /// The current thread's errno.
    public static var current: Errno { Errno(cshim_errno()) }

    public var description: String {
        guard let s = strerror(rawValue) else { return "errno \(rawValue)" }
        return String(cString: s)
    }
}

/// The failure of a named system call, for messages that say what failed.
public struct SyscallError: Error, Equatable, Sendable, CustomStringConvertible {
    public let call: String
    public let errno: Errno
    public init(call: String, errno: Errno) {
        self.call = call
        self.errno = errno
    }
    public var description: String { "\(call): \(errno)" }
}

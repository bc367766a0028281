import CLinuxShim
import Glibc

extension Socket {
    /// Starts a non-blocking connect (outbound hook deliveries). Returns the fd, non-blocking
    /// and close-on-exec, and whether it is already connected (a unix socket usually is); when
    /// not, wait for it to poll writable and read `connectError`. A refused unix connect fails
    /// here. The corresponding C functions are `socket` and `connect`.
    public static func connectNonBlocking(_ address: ListenAddress) throws(SyscallError) -> (fd: Int32, connected: Bool) {
        let family: Int32
        switch address {
        case .ipv4: family = AF_INET
        case .ipv6: family = AF_INET6
        case .unix: family = AF_UNIX
        }
        let fd = try syscallOrThrow("socket") { cshim_socket(family, Int32(SOCK_STREAM.rawValue)) }
        let sa = SocketAddress(address)
        let rc = sa.withSockAddr { Glibc.connect(fd, $0, $1) }
        if rc == 0 { return (fd, true) }
        let code = errno
        if code == EINPROGRESS || code == EAGAIN && family != AF_UNIX { return (fd, false) }
        IO.close(fd)
        throw SyscallError(call: "connect", errno: Errno(code))
    }

    /// The outcome of a non-blocking connect once the socket polled writable: nil when it
    /// connected, else the error. The corresponding C function is `getsockopt(SO_ERROR)`.
    public static func connectError(_ fd: Int32) -> SyscallError? {
        do {
            let code = try option(fd, SOL_SOCKET, SO_ERROR)
            return code == 0 ? nil : SyscallError(call: "connect", errno: Errno(code))
        } catch {
            return error
        }
    }
}

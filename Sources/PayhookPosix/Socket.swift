import CLinuxShim
import Glibc

/// Socket calls: listening sockets, accept, addresses. Every call goes through `syscall`.
public enum Socket {
    /// Pending connections the kernel queues per listener (capped by `net.core.somaxconn`).
    /// Default 1024.
    public static let listenBacklogDefault: Int32 = 1024

    /// Opens a non-blocking, close-on-exec listening socket bound to `address`, with SO_REUSEADDR.
    /// A stale unix socket file (nobody accepting on it) is removed first; a live one is refused
    /// with EADDRINUSE. The corresponding C functions are `socket`, `setsockopt`, `bind`, `listen`.
    public static func listen(_ address: ListenAddress, backlog: Int32 = listenBacklogDefault) throws(SyscallError) -> Int32 {
        let family: Int32
        switch address {
        case .ipv4: family = AF_INET
        case .ipv6: family = AF_INET6
        case .unix(let path):
            family = AF_UNIX
            try removeStaleUnixSocket(path)
        }
        let fd = try syscallOrThrow("socket") { cshim_socket(family, Int32(SOCK_STREAM.rawValue)) }
        do {
            if family != AF_UNIX { try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1) }
            if family == AF_INET6 { try setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1) }
            let sa = SocketAddress(address)
            _ = try syscallOrThrow("bind") { sa.withSockAddr { Glibc.bind(fd, $0, $1) } }
            _ = try syscallOrThrow("listen") { Glibc.listen(fd, backlog) }
        } catch {
            IO.close(fd)
            throw error
        }
        return fd
    }

    /// A unix socket file nobody listens on is left over from a crash: connecting to it fails with
    /// ECONNREFUSED, and only then is it removed.
    static func removeStaleUnixSocket(_ path: String) throws(SyscallError) {
        var st = stat()
        do {
            _ = try syscallOrThrow("lstat") { lstat(path, &st) }
        } catch {
            return  // nothing there (or unreadable: bind reports it)
        }
        guard (st.st_mode & S_IFMT) == S_IFSOCK else { throw SyscallError(call: "bind", errno: Errno(EADDRINUSE)) }
        let probe = try syscallOrThrow("socket") { cshim_socket(AF_UNIX, Int32(SOCK_STREAM.rawValue)) }
        defer { IO.close(probe) }
        let sa = SocketAddress(.unix(path: path))
        do {
            _ = try syscall("connect", allowWouldBlock: true) { sa.withSockAddr { Glibc.connect(probe, $0, $1) } }
        } catch {
            guard error.errno == Errno(ECONNREFUSED) else { throw error }
            _ = try syscallOrThrow("unlink") { Glibc.unlink(path) }
            return
        }
        throw SyscallError(call: "bind", errno: Errno(EADDRINUSE))
    }

    /// Accepts one connection as non-blocking and close-on-exec; `nil` when none is pending.
    /// ECONNABORTED (the peer gave up while queued) also reads as "none pending right now".
    /// EMFILE/ENFILE are thrown: the caller pauses accepting. The corresponding C function is
    /// `accept4`.
    public static func accept(_ listener: Int32) throws(SyscallError) -> (fd: Int32, peer: SocketAddress)? {
        var peer = SocketAddress()
        do {
            let fd = try syscall("accept4", allowWouldBlock: true) {
                peer.withMutableSockAddr { cshim_accept4(listener, $0, $1) }
            }
            guard let fd else { return nil }
            return (fd, peer)
        } catch {
            guard error.errno == Errno(ECONNABORTED) else { throw error }
            return try accept(listener)
        }
    }

    /// Reads a connected stream socket into `buffer`: the byte count, 0 at end of stream, `nil`
    /// when it would block. `recv` goes to the socket directly where `read` passes through
    /// the file layer first (its position lock, permission hooks and iterator setup: about 5%
    /// of the daemon's time on a status query). The corresponding C function is `recv`.
    public static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SyscallError) -> Int? {
        try syscall("recv", allowWouldBlock: true) { Glibc.recv(fd, buffer.baseAddress, buffer.count, 0) }
    }

    /// Sends `buffer` on a connected stream socket: the byte count taken (maybe short), `nil`
    /// when it would block. MSG_NOSIGNAL: a closed peer is EPIPE, never SIGPIPE. The
    /// corresponding C function is `send`.
    public static func send(_ fd: Int32, from buffer: UnsafeRawBufferPointer) throws(SyscallError) -> Int? {
        try syscall("send", allowWouldBlock: true) { Glibc.send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL)) }
    }

    /// The address a socket is bound to (reports the real port after binding port 0).
    /// The corresponding C function is `getsockname`.
    public static func localAddress(_ fd: Int32) throws(SyscallError) -> SocketAddress {
        var sa = SocketAddress()
        _ = try syscallOrThrow("getsockname") { sa.withMutableSockAddr { getsockname(fd, $0, $1) } }
        return sa
    }

    /// The peer of a connected socket. The corresponding C function is `getpeername`.
    public static func peerAddress(_ fd: Int32) throws(SyscallError) -> SocketAddress {
        var sa = SocketAddress()
        _ = try syscallOrThrow("getpeername") { sa.withMutableSockAddr { getpeername(fd, $0, $1) } }
        return sa
    }

    /// Connects a blocking client socket (tests and the CLI's admin client).
    /// The corresponding C function is `connect`.
    public static func connectBlocking(_ address: ListenAddress) throws(SyscallError) -> Int32 {
        let family: Int32
        switch address {
        case .ipv4: family = AF_INET
        case .ipv6: family = AF_INET6
        case .unix: family = AF_UNIX
        }
        let fd = try syscallOrThrow("socket") { Glibc.socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        let sa = SocketAddress(address)
        do {
            _ = try syscallOrThrow("connect") { sa.withSockAddr { Glibc.connect(fd, $0, $1) } }
        } catch {
            IO.close(fd)
            throw error
        }
        return fd
    }

    /// Sets an integer socket option. The corresponding C function is `setsockopt`.
    public static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) throws(SyscallError) {
        var v = value
        _ = try syscallOrThrow("setsockopt") { setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) }
    }

    /// Reads an integer socket option. The corresponding C function is `getsockopt`.
    public static func option(_ fd: Int32, _ level: Int32, _ name: Int32) throws(SyscallError) -> Int32 {
        var v: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        _ = try syscallOrThrow("getsockopt") { getsockopt(fd, level, name, &v, &len) }
        return v
    }

    /// Makes an inherited fd non-blocking and close-on-exec (socket activation).
    /// The corresponding C function is `fcntl`.
    public static func setNonBlockingCloseOnExec(_ fd: Int32) throws(SyscallError) {
        let flags = try syscallOrThrow("fcntl") { fcntl(fd, F_GETFL) }
        _ = try syscallOrThrow("fcntl") { fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
        _ = try syscallOrThrow("fcntl") { fcntl(fd, F_SETFD, FD_CLOEXEC) }
    }
}

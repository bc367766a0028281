import CLinuxShim
import Glibc

extension IO {
    /// A pipe, both ends non-blocking and close-on-exec (command hooks: stdin and output).
    /// The corresponding C function is `pipe2`.
    public static func pipe() throws(SyscallError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        _ = try syscallOrThrow("pipe2") { cshim_pipe2(&fds) }
        return (fds[0], fds[1])
    }

    /// Makes `fd` blocking again: the end a child receives (a child reading a non-blocking
    /// stdin would see EAGAIN). The corresponding C function is `fcntl`.
    public static func setBlocking(_ fd: Int32) throws(SyscallError) {
        let flags = try syscallOrThrow("fcntl") { fcntl(fd, F_GETFL) }
        _ = try syscallOrThrow("fcntl") { fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
    }
}

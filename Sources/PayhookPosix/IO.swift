import CLinuxShim
import Glibc

/// Descriptor I/O for sockets and pipes (files have their own helpers).
public enum IO {
    /// Reads into `buffer`: the byte count, 0 at end of stream, `nil` when it would block.
    /// The corresponding C function is `read`.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SyscallError) -> Int? {
        try syscall("read", allowWouldBlock: true) { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// Writes from `buffer`: the byte count written (maybe short), `nil` when it would block.
    /// The corresponding C function is `write`.
    public static func write(_ fd: Int32, from buffer: UnsafeRawBufferPointer) throws(SyscallError) -> Int? {
        try syscall("write", allowWouldBlock: true) { Glibc.write(fd, buffer.baseAddress, buffer.count) }
    }

    /// Gathers `iovecs` in one call: the byte count written (maybe short), `nil` when it would block.
    /// The corresponding C function is `writev`.
    public static func writev(_ fd: Int32, _ iovecs: UnsafeBufferPointer<iovec>) throws(SyscallError) -> Int? {
        try syscall("writev", allowWouldBlock: true) { Glibc.writev(fd, iovecs.baseAddress, Int32(iovecs.count)) }
    }

    /// Closes `fd`. On Linux the fd is released even when close reports EINTR, so EINTR is not
    /// retried (a retry could close an fd another thread just opened); other errors are ignored
    /// because nothing useful can be done about them. The corresponding C function is `close`.
    public static func close(_ fd: Int32) {
        _ = try? syscall("close") { () -> Int32 in
            let r = Glibc.close(fd)
            return (r < 0 && cshim_errno() == EINTR) ? 0 : r
        }
    }

    /// Shuts down the sending direction (the peer reads end of stream, unread input is kept).
    /// The corresponding C function is `shutdown`.
    public static func shutdownWrite(_ fd: Int32) {
        _ = try? syscall("shutdown") { Glibc.shutdown(fd, Int32(SHUT_WR)) }
    }

    /// Ignores SIGPIPE process-wide: a write to a closed peer then fails with EPIPE instead of
    /// killing the daemon. The corresponding C function is `sigaction`.
    public static func ignoreSIGPIPE() throws(SyscallError) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = SIG_IGN
        _ = try syscallOrThrow("sigaction") { sigaction(SIGPIPE, &action, nil) }
    }

    /// The process id. The corresponding C function is `getpid`.
    public static func processID() -> Int32 { getpid() }

    /// Sleeps the calling thread `ms` milliseconds (a worker's back-off, never the loop).
    /// The corresponding C function is `usleep`.
    public static func sleep(ms: Int) { _ = usleep(useconds_t(ms * 1000)) }
}

extension IO {
    /// Removes a file name, ignoring a missing one. The corresponding C function is `unlink`.
    public static func unlink(_ path: String) {
        _ = try? syscall("unlink") { Glibc.unlink(path) }
    }

    /// Replaces `path` with `bytes` atomically (write a temporary file, rename). For small
    /// status files such as the ready file; not durable (no fsync). The corresponding C
    /// functions are `open`, `write` and `rename`.
    public static func replaceFile(_ path: String, with bytes: [UInt8]) throws(SyscallError) {
        let temporary = path + ".tmp"
        let fd = try syscallOrThrow("open") { open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let n = try syscallOrThrow("write") {
                bytes.withUnsafeBytes { raw in Glibc.write(fd, raw.baseAddress! + written, raw.count - written) }
            }
            written += n
        }
        _ = try syscallOrThrow("rename") { rename(temporary, path) }
    }
}

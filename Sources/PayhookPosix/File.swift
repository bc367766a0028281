import CLinuxShim
import Glibc

/// An open regular file (or directory) with its path, for the durable log and the rejects store.
///
/// Every call goes through the `syscall` funnel. In debug builds a `FileProbe` installed for a
/// directory can fail calls or shorten writes for files under it (see `FileProbe`), and always
/// counts `write`/`pwrite`/`fdatasync`/`fsync` calls, so tests measure group commit.
public struct File: Sendable {
    public let fd: Int32
    public let path: String
    let probe: FileProbe?

    /// Opens `path`. `flags` are `O_*` values; `O_CLOEXEC` is always added. New files get `mode`
    /// (default 0640: payment data is not world-readable). The corresponding C function is `open`.
    public static func open(_ path: String, flags: Int32, mode: mode_t = 0o640) throws(SyscallError) -> File {
        let probe = FileProbe.lookup(path)
        let fd = try syscallOrThrow("open") { () -> Int32 in
            if let e = probe?.takeFault("open") { return fail(e) }
            return Glibc.open(path, flags | O_CLOEXEC, mode)
        }
        return File(fd: fd, path: path, probe: probe)
    }

    /// Opens a directory, for `fsync` after a rename, create or unlink in it.
    public static func openDirectory(_ path: String) throws(SyscallError) -> File {
        try open(path, flags: O_RDONLY | O_DIRECTORY)
    }

    /// The corresponding C function is `close`. Deliberately outside the funnel: on Linux the
    /// descriptor is released even when close(2) reports EINTR, so a retry could close a
    /// descriptor another thread just opened. Errors are ignored: durability is decided by
    /// fdatasync, not close.
    public func close() {
        _ = Glibc.close(fd)
    }

    /// Reads up to `buffer.count` bytes at `offset`; fewer only at end of file.
    /// The corresponding C function is `pread`.
    public func pread(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(SyscallError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = try syscallOrThrow("pread") { () -> Int in
                if let e = probe?.takeFault("pread") { return fail(e) }
                return Glibc.pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Reads `count` bytes at `offset` into a new array (shorter at end of file).
    public func read(count: Int, at offset: Int64) throws(SyscallError) -> [UInt8] {
        if count == 0 { return [] }
        var out = [UInt8](repeating: 0, count: count)
        let n = try typed { try out.withUnsafeMutableBytes { p in try pread(into: p, at: offset) } }
        if n < count { out.removeLast(count - n) }
        return out
    }

    /// Writes all of `bytes` at `offset`, retrying short writes. A retry that makes no progress
    /// throws (`ENOSPC` is what a full disk reports on the retry). The corresponding C function
    /// is `pwrite`.
    public func pwriteAll(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(SyscallError) {
        var done = 0
        while done < bytes.count {
            let n = try syscallOrThrow("pwrite") { () -> Int in
                var count = bytes.count - done
                if let probe {
                    probe.count(.write)
                    if let e = probe.takeFault("pwrite") { return fail(e) }
                    if probe.takeShortWrite() { count = max(1, count / 2) }
                }
                return Glibc.pwrite(fd, bytes.baseAddress! + done, count, off_t(offset) + off_t(done))
            }
            if n == 0 { throw SyscallError(call: "pwrite", errno: .noSpace) }
            done += n
        }
    }

    /// `pwriteAll` for an array.
    public func pwriteAll(_ bytes: [UInt8], at offset: Int64) throws(SyscallError) {
        try typed { try bytes.withUnsafeBytes { p in try pwriteAll(p, at: offset) } }
    }

    /// Flushes data (and the size, when it changed) to the device. The corresponding C function
    /// is `fdatasync`. After it fails, the page cache state is unknown: callers must not retry.
    public func fdatasync() throws(SyscallError) {
        probe?.count(.fdatasync)
        _ = try syscallOrThrow("fdatasync") { () -> Int32 in
            if let e = probe?.takeFault("fdatasync") { return fail(e) }
            return Glibc.fdatasync(fd)
        }
    }

    /// The corresponding C function is `fsync` (used on directories).
    public func fsync() throws(SyscallError) {
        probe?.count(.fsync)
        _ = try syscallOrThrow("fsync") { () -> Int32 in
            if let e = probe?.takeFault("fsync") { return fail(e) }
            return Glibc.fsync(fd)
        }
    }

    /// The corresponding C function is `ftruncate`.
    public func truncate(to size: Int64) throws(SyscallError) {
        _ = try syscallOrThrow("ftruncate") { () -> Int32 in
            if let e = probe?.takeFault("ftruncate") { return fail(e) }
            return Glibc.ftruncate(fd, off_t(size))
        }
    }

    /// The file's size in bytes. The corresponding C function is `fstat`.
    public func size() throws(SyscallError) -> Int64 {
        var st = stat()
        _ = try syscallOrThrow("fstat") { Glibc.fstat(fd, &st) }
        return Int64(st.st_size)
    }

    /// Takes an exclusive advisory lock without waiting; `false` when another process holds it.
    /// The corresponding C function is `flock`.
    public func tryLockExclusive() throws(SyscallError) -> Bool {
        try syscall("flock", allowWouldBlock: true) { c_flock(fd, LOCK_EX | LOCK_NB) } != nil
    }
}

/// Sets errno and returns -1, so an injected fault travels the funnel like a real one.
@inline(__always)
func fail<T: FixedWidthInteger>(_ e: Errno) -> T {
    cshim_set_errno(e.rawValue)
    return -1
}

/// Narrows a `rethrows` closure call (the standard library's buffer accessors) back to
/// `SyscallError`, the only error its body throws.
@inline(__always)
func typed<T>(_ body: () throws -> T) throws(SyscallError) -> T {
    do {
        return try body()
    } catch let e as SyscallError {
        throw e
    } catch {
        fatalError("unexpected error \(error)")
    }
}

// Swift imports `flock` as the struct of the same name only; bind the function directly.
@_silgen_name("flock") private func c_flock(_ fd: Int32, _ operation: Int32) -> Int32

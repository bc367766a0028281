import CLinuxShim
import Glibc

/// Directory and path operations of the durable log, through the `syscall` funnel.
public enum FileSystem {
    /// Creates `path` (one level); an existing directory is fine. The corresponding C function is
    /// `mkdir`.
    public static func makeDirectory(_ path: String, mode: mode_t = 0o750) throws(SyscallError) {
        do throws(SyscallError) {
            _ = try syscallOrThrow("mkdir") { Glibc.mkdir(path, mode) }
        } catch  where error.errno == .exists {
            return
        }
    }

    /// Creates `path` and its missing parents.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o750) throws(SyscallError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            try makeDirectory(prefix, mode: mode)
        }
    }

    /// Atomically replaces `to` with `from`. The corresponding C function is `rename`.
    public static func rename(_ from: String, to: String) throws(SyscallError) {
        let probe = FileProbe.lookup(to)
        _ = try syscallOrThrow("rename") { () -> Int32 in
            if let e = probe?.takeFault("rename") { return fail(e) }
            return Glibc.rename(from, to)
        }
    }

    /// The corresponding C function is `unlink`.
    public static func unlink(_ path: String) throws(SyscallError) {
        _ = try syscallOrThrow("unlink") { Glibc.unlink(path) }
    }

    /// Replaces the file at `path` durably: `write` fills `temporary` (default `path + ".tmp"`,
    /// created or truncated), which is fdatasynced and renamed over `path`, then the directory
    /// is fsynced (rename(2) is atomic; the directory fsync makes it durable). On a failure
    /// before the rename the temporary file is removed and `path` is untouched.
    public static func replaceDurably(
        _ path: String, temporary: String? = nil, _ write: (File) throws(SyscallError) -> Void
    ) throws(SyscallError) {
        let tmp = temporary ?? path + ".tmp"
        let file = try File.open(tmp, flags: O_WRONLY | O_CREAT | O_TRUNC)
        do throws(SyscallError) {
            try write(file)
            try file.fdatasync()
        } catch {
            file.close()
            try? unlink(tmp)
            throw error
        }
        file.close()
        try rename(tmp, to: path)
        try syncDirectory(path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ".")
    }

    /// `fsync` of a directory, so that a create, rename or unlink in it is durable.
    public static func syncDirectory(_ path: String) throws(SyscallError) {
        let dir = try File.openDirectory(path)
        defer { dir.close() }
        try dir.fsync()
    }

    /// The size of `path`, or `nil` when it does not exist. The corresponding C function is `stat`.
    public static func size(_ path: String) throws(SyscallError) -> Int64? {
        var st = stat()
        do throws(SyscallError) {
            _ = try syscallOrThrow("stat") { Glibc.lstat(path, &st) }
        } catch  where error.errno == .noEntry {
            return nil
        }
        return Int64(st.st_size)
    }

    /// When `path` was last modified (Unix ms), or `nil` when it does not exist. The
    /// corresponding C function is `stat`.
    public static func modifiedAtMs(_ path: String) throws(SyscallError) -> Int64? {
        var st = stat()
        do throws(SyscallError) {
            _ = try syscallOrThrow("stat") { Glibc.lstat(path, &st) }
        } catch  where error.errno == .noEntry {
            return nil
        }
        return Int64(st.st_mtim.tv_sec) * 1000 + Int64(st.st_mtim.tv_nsec) / 1_000_000
    }

    /// Bytes an unprivileged process may still write on the filesystem holding `path`
    /// (`f_bavail * f_frsize`). The corresponding C function is `statvfs`.
    public static func availableBytes(_ path: String) throws(SyscallError) -> Int64 {
        var st = statvfs()
        _ = try syscallOrThrow("statvfs") { c_statvfs(path, &st) }
        return Int64(st.f_bavail) * Int64(st.f_frsize)
    }

    /// The names in directory `path` (without `.` and `..`), unsorted.
    /// The corresponding C functions are `opendir` and `readdir`.
    public static func list(_ path: String) throws(SyscallError) -> [String] {
        var dir: OpaquePointer?
        _ = try syscallOrThrow("opendir") { () -> Int32 in
            dir = Glibc.opendir(path)
            return dir == nil ? -1 : 0
        }
        defer { if let dir { Glibc.closedir(dir) } }
        var names: [String] = []
        while true {
            var entry: UnsafeMutablePointer<dirent>?
            _ = try syscallOrThrow("readdir") { () -> Int32 in
                cshim_set_errno(0)
                entry = Glibc.readdir(dir!)
                return entry == nil && cshim_errno() != 0 ? -1 : 0
            }
            guard let entry else { break }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}

// The function shares its name with its struct, which hides it from Swift.
@_silgen_name("statvfs") private func c_statvfs(_ path: UnsafePointer<CChar>, _ buf: UnsafeMutablePointer<statvfs>) -> Int32

import CLinuxShim
import Glibc
import PayhookPosix

/// A fresh directory under `$TMPDIR` (or /tmp), removed with its content by `remove()`.
/// Each test gets its own, so tests run in parallel and `FileProbe`s do not interfere.
public struct TemporaryDirectory: Sendable {
    public let path: String

    /// Creates `/tmp/<prefix>.XXXXXX`. The corresponding C function is `mkdtemp`.
    public init(prefix: String = "payhookd-test") {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(base)/\(prefix).XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed: \(Errno.current)")
        path = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `path/name`.
    public func file(_ name: String) -> String { path + "/" + name }

    /// Removes the directory tree (test helper; errors are ignored).
    public func remove() { Self.removeTree(path) }

    private static func removeTree(_ path: String) {
        if let names = try? FileSystem.list(path) {
            for n in names { removeTree(path + "/" + n) }
            _ = rmdir(path)
        } else {
            _ = unlink(path)
        }
    }

    /// Reads a whole file (test helper).
    public func read(_ path: String) -> [UInt8] {
        guard let f = try? File.open(path, flags: O_RDONLY) else { return [] }
        defer { f.close() }
        return (try? f.read(count: Int((try? f.size()) ?? 0), at: 0)) ?? []
    }

    /// Replaces a whole file's content (test helper: corrupts or truncates log files).
    public func write(_ path: String, _ bytes: [UInt8]) {
        let f = try! File.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC)
        defer { f.close() }
        try! f.pwriteAll(bytes, at: 0)
    }
}

import Glibc
import PayhookPosix

/// Reading and replacing a hook's cursor file (format in `HookCursor.swift`).
///
/// When it is written is the caller's choice, driven by `DeliveryState`'s `.persistCursor`
/// action: after `cursorEveryAcks` completions or `cursorEveryMs` after the first unsaved change,
/// whichever comes first, and once at shutdown. One fsync pair per batch, not per event.
extension HookCursor {
    public enum FileError: Error, Sendable, Equatable {
        case io(SyscallError)
        /// The file exists but is not a cursor: the caller stops and names it.
        case damaged(path: String, DecodeError)
    }

    /// The file name of a hook's cursor in `directory`.
    public static func path(directory: String, hook: String) -> String { directory + "/" + hook + ".cursor" }

    /// The cursor at `path`, or nil when there is none (a new hook).
    public static func read(path: String) throws(FileError) -> HookCursor? {
        let maxSize = Int64(headerBytes + maxPendingEntries * entryBytes + 4)
        let bytes: [UInt8]
        do {
            let file = try File.open(path, flags: O_RDONLY)
            defer { file.close() }
            // Larger than any cursor can be: read only enough to fail the length check.
            bytes = try file.read(count: Int(min(try file.size(), maxSize + 1)), at: 0)
        } catch {
            if error.errno == .noEntry { return nil }
            throw .io(error)
        }
        do { return try decode(bytes) } catch { throw .damaged(path: path, error) }
    }

    /// Replaces the file at `path` durably: write a temporary file, fsync it, rename it over
    /// `path`, fsync the directory (rename(2) is atomic; the directory fsync makes it durable).
    public func write(path: String) throws(FileError) {
        do { try Self.replaceFile(path: path, bytes: encode()) } catch { throw .io(error) }
    }

    /// Writes `bytes` to `path + ".tmp"` and renames it over `path`, durably
    /// (`FileSystem.replaceDurably`).
    static func replaceFile(path: String, bytes: [UInt8]) throws(SyscallError) {
        try FileSystem.replaceDurably(path) { (file: File) throws(SyscallError) in try file.pwriteAll(bytes, at: 0) }
    }
}

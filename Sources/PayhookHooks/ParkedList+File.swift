import Glibc
import PayhookPosix

/// Reading and replacing a hook's parked file (format in `ParkedList.swift`).
extension ParkedList {
    public enum FileError: Error, Sendable, Equatable {
        case io(SyscallError)
        /// The file exists but is not a parked list: the caller stops and names it.
        case damaged(path: String, DecodeError)
    }

    /// The file name of a hook's parked list in `directory`.
    public static func path(directory: String, hook: String) -> String { directory + "/" + hook + ".parked" }

    /// The list at `path`; empty when there is none (nothing was ever parked).
    public static func read(path: String) throws(FileError) -> ParkedList {
        let bytes: [UInt8]
        do {
            let file = try File.open(path, flags: O_RDONLY)
            defer { file.close() }
            bytes = try file.read(count: Int(try file.size()), at: 0)
        } catch {
            if error.errno == .noEntry { return ParkedList() }
            throw .io(error)
        }
        do { return try decode(bytes) } catch { throw .damaged(path: path, error) }
    }

    /// Replaces the file at `path` durably (as `HookCursor.write`).
    public func write(path: String) throws(FileError) {
        do { try HookCursor.replaceFile(path: path, bytes: encode()) } catch { throw .io(error) }
    }
}

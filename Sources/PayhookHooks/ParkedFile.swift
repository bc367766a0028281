import Glibc
import PayhookPosix

/// The append side of one hook's parked file (format in `ParkedList+File.swift`), owned by the
/// cursor writer thread: appends changes, fdatasyncs them, and compacts when the file has grown
/// past twice what its live entries need.
public final class ParkedFile {
    public let path: String
    /// The list as the file holds it (what compaction writes).
    public private(set) var list: ParkedList
    /// The file's size (0: not created yet).
    public private(set) var size: Int
    /// Bytes of each live entry's frame, to know when compaction pays off without re-encoding.
    private var frameBytes: [UInt64: Int] = [:]
    private var liveBytes: Int
    /// No compaction below this size: rewriting a small file saves nothing.
    public static let compactMinBytes = 65_536

    /// Opens the file at `path` (none yet: an empty list). A torn last frame is cut off; a
    /// version-1 file is rewritten as version 2.
    public init(path: String, maxBytes: Int = ParkedList.defaultMaxBytes) throws(ParkedList.FileError) {
        self.path = path
        let (list, valid, version) = try ParkedList.load(path: path, maxBytes: maxBytes)
        self.list = list
        size = valid
        liveBytes = ParkedList.headerBytes
        for (seq, event) in list.events {
            frameBytes[seq] = ParkedChange.parked(event).frame().count
            liveBytes += frameBytes[seq]!
        }
        let actual: Int64? = (try? FileSystem.size(path)) ?? nil
        if version != ParkedList.fileVersion {
            try compact()
        } else if let actual, actual > Int64(valid) {
            do {
                let file = try File.open(path, flags: O_WRONLY)
                defer { file.close() }
                try file.truncate(to: Int64(valid))
                try file.fdatasync()
            } catch { throw .io(error) }
        }
    }

    /// Appends `changes` in order and makes them durable; compacts when due.
    public func append(_ changes: [ParkedChange]) throws(ParkedList.FileError) {
        guard !changes.isEmpty else { return }
        var bytes = size == 0 ? ParkedList.header() : []
        for change in changes {
            let frame = change.frame()
            bytes += frame
            list.apply(change)
            switch change {
            case .parked(let event):
                liveBytes += frame.count - (frameBytes[event.record.seq] ?? 0)
                frameBytes[event.record.seq] = frame.count
            case .delivered(let seq):
                liveBytes -= frameBytes.removeValue(forKey: seq) ?? 0
            }
        }
        let created = size == 0
        do {
            let file = try File.open(path, flags: O_WRONLY | O_CREAT)
            defer { file.close() }
            try file.pwriteAll(bytes, at: Int64(size))
            // A new file's first bytes need its metadata too (fsync), and its name (the directory).
            if created { try file.fsync() } else { try file.fdatasync() }
            if created { try FileSystem.syncDirectory(path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ".") }
        } catch { throw .io(error) }
        size += bytes.count
        if size > Self.compactMinBytes && size > 2 * liveBytes { try compact() }
    }

    private func compact() throws(ParkedList.FileError) {
        try list.write(path: path)
        size = liveBytes
    }
}

import Glibc
import PayhookLog
import PayhookPosix

extension RejectStore {
    /// Every stored reject, oldest first. A segment is read up to its first frame that does not
    /// decode (a tail torn by a crash). Reads files on the caller's thread; works on a directory
    /// another process writes (the CLI while the daemon runs).
    public static func list(dir: String) throws(SyscallError) -> [RejectEntry] {
        let directory = dir + "/rejects"
        guard try FileSystem.size(directory) != nil else { return [] }
        var out: [RejectEntry] = []
        let firstIDs = try FileSystem.list(directory).compactMap(RejectSegments.parse).sorted()
        for first in firstIDs {
            // A segment deleted meanwhile (the writer made room) is simply gone.
            guard let bytes = try? LogVerify.readAll(directory + "/" + RejectSegments.segmentName(first)) else { continue }
            let done = Set(doneIDs(directory + "/" + RejectSegments.doneName(first)))
            var offset = 0
            var id = first
            while offset < bytes.count, let (entry, size) = RejectEntry.decodeFrame(bytes, at: offset, id: id) {
                var e = entry
                e.reingested = done.contains(id)
                out.append(e)
                offset += size
                id += 1
            }
        }
        return out
    }

    /// Marks a reject as re-ingested (its id appended to the segment's `.done` file, then
    /// fdatasync), so `reverify` ingests it only once. Call after its event is durable: a crash in
    /// between ingests it again, which dedup answers as a duplicate. Throws ENOENT when no
    /// stored reject has this id, EEXIST when it is already marked.
    public static func markReingested(dir: String, id: UInt64) throws(SyscallError) {
        let directory = dir + "/rejects"
        let segment = try FileSystem.list(directory).compactMap(RejectSegments.parse).filter { $0 <= id }.max()
        guard let segment, list(segmentAt: directory, segment)?.contains(id) == true else {
            throw SyscallError(call: "markReingested", errno: .noEntry)
        }
        let path = directory + "/" + RejectSegments.doneName(segment)
        guard !doneIDs(path).contains(id) else { throw SyscallError(call: "markReingested", errno: .exists) }
        let file = try File.open(path, flags: O_WRONLY | O_CREAT | O_APPEND, mode: 0o640)
        defer { file.close() }
        var w = ByteWriter(capacity: 8)
        w.u64(id)
        try file.pwriteAll(w.bytes, at: try file.size())
        try file.fdatasync()
        try FileSystem.syncDirectory(directory)
    }

    /// The ids held by the segment starting at `first`.
    private static func list(segmentAt directory: String, _ first: UInt64) -> ClosedRange<UInt64>? {
        guard let bytes = try? LogVerify.readAll(directory + "/" + RejectSegments.segmentName(first)) else { return nil }
        var offset = 0
        var n: UInt64 = 0
        while offset < bytes.count, let (_, size) = RejectEntry.decodeFrame(bytes, at: offset, id: first + n) {
            offset += size
            n += 1
        }
        return n == 0 ? nil : first...(first + n - 1)
    }

    private static func doneIDs(_ path: String) -> [UInt64] {
        guard let bytes = try? LogVerify.readAll(path) else { return [] }
        var ids: [UInt64] = []
        var i = 0
        while i + 8 <= bytes.count {
            var id: UInt64 = 0
            for k in 0..<8 { id |= UInt64(bytes[i + k]) << UInt64(8 * k) }
            ids.append(id)
            i += 8
        }
        return ids
    }
}

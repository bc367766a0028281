import CLinuxShim
import Glibc
import PayhookPosix
import Synchronization

/// Why a record could not be read back.
public enum LogReadError: Error, Equatable, Sendable {
    case io(SyscallError)
    /// The bytes at the location are not a valid record (damage since recovery).
    case damaged(segment: String, offset: Int64, reason: String)
}

/// Reads single records by location or seq, for the admin API (`/v1/payments/.../events`,
/// `/v1/events`) and hook delivery.
///
/// One read is two `pread`s on a cached descriptor (frame header, then payload): done on the
/// loop thread, it costs a page-cache hit in the common case (records just written or recently
/// read); a cold read may wait for the disk. The loop accepts that for admin reads, which are
/// rare and bounded by `limit`; ingest acknowledgements never wait on it.
public final class LogReader: Sendable {
    public let logDir: String
    private let files = Mutex<[UInt64: File]>([:])
    /// Segment descriptors kept open at most (the oldest segment's closed first). Default 16.
    public let openFilesMax: Int

    /// A reader over `storage.dir` (`dir`); segments are opened on demand.
    public init(dir: String, openFilesMax: Int = 16) {
        precondition(openFilesMax >= 1)
        logDir = Log.logDirectory(dir)
        self.openFilesMax = openFilesMax
    }

    /// Segment descriptors open now (at most `openFilesMax`).
    public var openFileCount: Int { files.withLock { $0.count } }

    deinit { files.withLock { for (_, f) in $0 { f.close() } } }

    /// The record of `seq`, or `nil` when `index` does not locate it or its segment was deleted
    /// by retention.
    public func read(seq: UInt64, index: LogIndex) throws(LogReadError) -> LogRecord? {
        guard let location = index.location(of: seq) else { return nil }
        return try read(at: location)
    }

    /// Up to `limit` records with seq > `after`, in order (`GET /v1/events?after=`).
    public func records(after: UInt64, limit: Int, index: LogIndex) throws(LogReadError) -> [LogRecord] {
        var out: [LogRecord] = []
        // Seqs before the oldest segment were deleted by retention: start at the oldest kept.
        var seq = max(after + 1, index.segments.first?.firstSeq ?? 1)
        while out.count < limit && seq < index.nextSeq {
            if let r = try read(seq: seq, index: index) { out.append(r) }
            seq += 1
        }
        return out
    }

    /// The record at `location`; `nil` when its segment no longer exists.
    /// Thread-safe: reads are serialized on the descriptor cache's lock.
    public func read(at location: RecordLocation) throws(LogReadError) -> LogRecord? {
        let result = files.withLock { table in
            Result { () throws(LogReadError) -> LogRecord? in try read(at: location, files: &table) }
        }
        return try result.get()
    }

    private func read(at location: RecordLocation, files table: inout [UInt64: File]) throws(LogReadError) -> LogRecord? {
        let path = logDir + "/" + LogFormat.segmentName(firstSeq: location.segmentFirstSeq)
        guard let file = try io({ () throws(SyscallError) in try file(location.segmentFirstSeq, path: path, table: &table) }) else { return nil }
        func damaged(_ reason: String) -> LogReadError { .damaged(segment: path, offset: location.offset, reason: reason) }
        let head = try io { () throws(SyscallError) in try file.read(count: LogFormat.frameHeaderBytes, at: location.offset) }
        guard head.count == LogFormat.frameHeaderBytes else { throw damaged("frame header cut short") }
        let length = SegmentScanner.readU32(head, 0)
        guard length >= 1, length <= LogFormat.recordBytesMax else { throw damaged("frame length \(length) out of bounds") }
        let payload = try io { () throws(SyscallError) in
            try file.read(count: Int(length), at: location.offset + Int64(LogFormat.frameHeaderBytes))
        }
        let crc = payload.withUnsafeBytes { RecordCodec.checksum(length: length, payload: $0) }
        guard payload.count == Int(length), crc == SegmentScanner.readU32(head, 4) else { throw damaged("CRC mismatch") }
        do throws(DecodeError) {
            return try RecordCodec.decodePayload(payload[...])
        } catch {
            throw damaged(error.what)
        }
    }

    private func io<T>(_ body: () throws(SyscallError) -> T) throws(LogReadError) -> T {
        do throws(SyscallError) { return try body() } catch { throw .io(error) }
    }

    private func file(_ firstSeq: UInt64, path: String, table: inout [UInt64: File]) throws(SyscallError) -> File? {
        if let f = table[firstSeq] { return f }
        let f: File
        do throws(SyscallError) {
            f = try File.open(path, flags: O_RDONLY)
        } catch  where error.errno == .noEntry {
            return nil
        }
        if table.count >= openFilesMax, let oldest = table.keys.min() {
            table.removeValue(forKey: oldest)?.close()
        }
        table[firstSeq] = f
        return f
    }
}

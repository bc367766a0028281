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

/// Reads single record payloads by location, for the store's `LogReader` (admin API, hook
/// delivery). One read is two `pread`s on a cached descriptor (frame header, then payload),
/// run on a background thread (`RecordFetcher`), never on the event loop: a cold read may wait
/// for the disk.
public final class SegmentReader: Sendable {
    public let logDir: String
    private let files = Mutex<[UInt64: File]>([:])
    /// Segment descriptors kept open at most (the oldest segment's closed first). Default 16.
    public let maxOpenFiles: Int

    /// A reader over the segments in `logDir`; they are opened on demand.
    public init(logDir: String, maxOpenFiles: Int = 16) {
        precondition(maxOpenFiles >= 1)
        self.logDir = logDir
        self.maxOpenFiles = maxOpenFiles
    }

    /// Segment descriptors open now (at most `maxOpenFiles`).
    public var openFileCount: Int { files.withLock { $0.count } }

    deinit { files.withLock { for (_, f) in $0 { f.close() } } }

    /// The CRC-checked payload of the record at `location`, decoded by `decode` (a
    /// `DecodeError` is damage); `nil` when its segment no longer exists. Thread-safe: reads are
    /// serialized on the descriptor cache's lock, decoding runs outside it.
    public func read<T>(at location: RecordLocation, decode: ([UInt8]) throws(DecodeError) -> T) throws(LogReadError) -> T? {
        let result = files.withLock { table in
            Result { () throws(LogReadError) -> [UInt8]? in try payload(at: location, files: &table) }
        }
        guard let payload = try result.get() else { return nil }
        do throws(DecodeError) {
            return try decode(payload)
        } catch {
            throw .damaged(segment: path(location), offset: location.offset, reason: error.what)
        }
    }

    private func path(_ location: RecordLocation) -> String { logDir + "/" + LogFormat.segmentName(firstSeq: location.segmentFirstSeq) }

    private func payload(at location: RecordLocation, files table: inout [UInt64: File]) throws(LogReadError) -> [UInt8]? {
        let path = path(location)
        guard let file = try io({ () throws(SyscallError) in try file(location.segmentFirstSeq, path: path, table: &table) }) else { return nil }
        func damaged(_ reason: String) -> LogReadError { .damaged(segment: path, offset: location.offset, reason: reason) }
        let head = try io { () throws(SyscallError) in try file.read(count: LogFormat.frameHeaderBytes, at: location.offset) }
        guard head.count == LogFormat.frameHeaderBytes else { throw damaged("frame header cut short") }
        let length = SegmentScanner.readU32(head, 0)
        guard length >= 1, length <= LogFormat.maxRecordBytes else { throw damaged("frame length \(length) out of bounds") }
        let payload = try io { () throws(SyscallError) in
            try file.read(count: Int(length), at: location.offset + Int64(LogFormat.frameHeaderBytes))
        }
        let crc = payload.withUnsafeBytes { FrameCodec.checksum(length: length, payload: $0) }
        guard payload.count == Int(length), crc == SegmentScanner.readU32(head, 4) else { throw damaged("CRC mismatch") }
        return payload
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
        if table.count >= maxOpenFiles, let oldest = table.keys.min() {
            table.removeValue(forKey: oldest)?.close()
        }
        table[firstSeq] = f
        return f
    }
}

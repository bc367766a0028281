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
/// delivery). One read is one `pread` on a cached descriptor (two for a record longer than
/// `firstReadBytes`), run on a background thread (`RecordFetcher`, `HookReader`), never on the
/// event loop: a cold read may wait for the disk.
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

    /// Bytes read at a record's offset at once: its frame header and, for most records (a
    /// webhook and its normalized event are a few KiB), the whole payload, so one `pread`
    /// instead of two (a hook's backlog drain reads every record).
    static let firstReadBytes = 8192

    private func payload(at location: RecordLocation, files table: inout [UInt64: File]) throws(LogReadError) -> [UInt8]? {
        guard let file = try io({ () throws(SyscallError) in try file(for: location, table: &table) }) else { return nil }
        func damaged(_ reason: String) -> LogReadError { .damaged(segment: path(location), offset: location.offset, reason: reason) }
        let header = LogFormat.frameHeaderBytes
        let first = try io { () throws(SyscallError) in try file.read(count: Self.firstReadBytes, at: location.offset) }
        guard first.count >= header else { throw damaged("frame header cut short") }
        let length = SegmentScanner.readU32(first, 0)
        guard length >= 1, length <= LogFormat.maxRecordBytes else { throw damaged("frame length \(length) out of bounds") }
        var payload = Array(first[header..<min(first.count, header + Int(length))])
        if payload.count < Int(length) {
            let offset = location.offset + Int64(header + payload.count)
            payload += try io { () throws(SyscallError) in try file.read(count: Int(length) - payload.count, at: offset) }
        }
        let crc = payload.withUnsafeBytes { FrameCodec.checksum(length: length, payload: $0) }
        guard payload.count == Int(length), crc == SegmentScanner.readU32(first, 4) else { throw damaged("CRC mismatch") }
        return payload
    }

    private func io<T>(_ body: () throws(SyscallError) -> T) throws(LogReadError) -> T {
        do throws(SyscallError) { return try body() } catch { throw .io(error) }
    }

    /// The cached descriptor of `location`'s segment (its path is built only to open it).
    private func file(for location: RecordLocation, table: inout [UInt64: File]) throws(SyscallError) -> File? {
        let firstSeq = location.segmentFirstSeq
        if let f = table[firstSeq] { return f }
        let f: File
        do throws(SyscallError) {
            f = try File.open(path(location), flags: O_RDONLY)
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

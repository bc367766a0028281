import Glibc
import PayhookLog
import PayhookPosix
import Synchronization
import TestSupport
import Testing

/// An entry with an opaque body: what the log sees of any record.
struct BytesEntry: LogEntry, Equatable {
    var type: UInt8 = 9
    var flags: UInt8 = 0
    var receivedAtMs: Int64
    var bytes: [UInt8]
    func appendBody(seq: UInt64, to out: inout [UInt8]) { out.append(contentsOf: bytes) }
}

/// The smallest index recovery can rebuild: the segment map and every body seen.
struct BodiesIndex: RecoverableIndex {
    var segmentMap = SegmentMap()
    var bodies: [UInt64: [UInt8]] = [:]
    init() {}
    mutating func recover(_ record: RawRecord, at appended: AppendedRecord, frameBytes: Int) throws(DecodeError) {
        if record.body.first == 0xEE { throw DecodeError(offset: LogFormat.recordHeaderBytes, what: "refused by the store") }
        segmentMap.append(appended, frameBytes: frameBytes, receivedAtMs: record.receivedAtMs)
        bodies[record.seq] = Array(record.body)
    }
}

@Suite struct RawLogTests {
    /// Writes `entries` through a `SegmentWriter` and shuts it down.
    private func write(_ entries: [BytesEntry], dir: TemporaryDirectory, segmentBytes: Int = 1 << 20) throws -> [Committed<BytesEntry>] {
        var options = LogOptions()
        options.segmentBytes = segmentBytes
        let logDir = LogFiles.logDirectory(dir.path)
        let lock = try LogFiles.lock(logDir: logDir, waitMs: 0)
        let recovered = try LogRecovery.recover(logDir: logDir, repair: true) { (_: String, _: [UInt64]) -> (BodiesIndex, UInt64)? in nil }
        let active = try LogFiles.openActive(logDir: logDir, nextSeq: recovered.index.segmentMap.nextSeq, options: options)
        let committed = Mutex<[Committed<BytesEntry>]>([])
        let writer = try SegmentWriter<BytesEntry>(
            logDir: logDir, active: active, nextSeq: recovered.index.segmentMap.nextSeq, options: options, lockFile: lock,
            onCommitted: { batch in committed.withLock { $0 += batch } }, onDurable: {})
        for (i, e) in entries.enumerated() { writer.submit(e, ticket: UInt64(i)) }
        writer.shutdown()
        return committed.withLock { $0 }
    }

    @Test("the log frames opaque bodies: header (type, flags, seq, received_ms) + body, CRC32C over length and payload")
    func frameLayout() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let entry = BytesEntry(type: 7, flags: 1, receivedAtMs: 0x0102_0304, bytes: [0xAA, 0xBB])
        let committed = try write([entry], dir: dir)
        #expect(committed.map(\.appended.seq) == [1])
        let segment = dir.read(LogFiles.logDirectory(dir.path) + "/" + LogFormat.segmentName(firstSeq: 1))
        let payload: [UInt8] = [7, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0x04, 0x03, 0x02, 0x01, 0, 0, 0, 0, 0xAA, 0xBB]
        let crc = payload.withUnsafeBytes { FrameCodec.checksum(length: UInt32(payload.count), payload: $0) }
        let frame: [UInt8] = [UInt8(payload.count), 0, 0, 0] + (0..<4).map { UInt8((crc >> (8 * UInt32($0))) & 0xFF) } + payload
        #expect(Array(segment.dropFirst(LogFormat.segmentHeaderBytes)) == frame)
    }

    @Test("recovery hands every body to the index, in seq order, across segments")
    func recoveryYieldsBodies() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let entries = (0..<20).map { BytesEntry(receivedAtMs: Int64($0), bytes: Array(repeating: UInt8($0), count: 40)) }
        _ = try write(entries, dir: dir, segmentBytes: 200)
        let r = try LogRecovery.recover(logDir: LogFiles.logDirectory(dir.path), repair: false) {
            (_: String, _: [UInt64]) -> (BodiesIndex, UInt64)? in nil
        }
        #expect(r.index.segmentMap.lastSeq == 20)
        #expect(r.index.segmentMap.segments.count > 1)
        #expect((1...20).map { r.index.bodies[UInt64($0)] } == entries.map(\.bytes))
    }

    @Test("a body the index refuses to decode is damage, named with its segment and offset")
    func undecodableIsDamage() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        _ = try write([BytesEntry(receivedAtMs: 1, bytes: [1]), BytesEntry(receivedAtMs: 2, bytes: [0xEE])], dir: dir)
        let logDir = LogFiles.logDirectory(dir.path)
        #expect(throws: LogOpenError.self) {
            _ = try LogRecovery.recover(logDir: logDir, repair: false) { (_: String, _: [UInt64]) -> (BodiesIndex, UInt64)? in nil }
        }
        let report = LogVerify.verify(dir: dir.path) { (r: RawRecord) throws(DecodeError) in
            if r.body.first == 0xEE { throw DecodeError(offset: 18, what: "refused") }
        }
        #expect(report.exitCode == 1)
        #expect(report.report.contains("damaged at byte offset"))
    }
}

import Glibc
import PayhookPosix
import TestSupport
import Testing

@testable import PayhookLog
@testable import PayhookStore

@Suite struct LogLimitsTests {
    private func frameBytes(_ n: Int) -> Int {
        var e = Fixtures.event(n)
        e.seq = UInt64(n)
        return RecordCodec.frame(LogRecord(seq: UInt64(n), payload: .event(Fixtures.request(), e))).count
    }

    @Test("segment_bytes: two records filling a segment exactly stay in it; one byte less rolls the second", arguments: [0, -1])
    func segmentRoll(slack: Int) throws {
        let size = LogFormat.segmentHeaderBytes + frameBytes(1) + frameBytes(2) + slack
        let log = try TestLog(options: Fixtures.options(segmentBytes: size))
        defer {
            log.close()
            log.dir.remove()
        }
        log.append((1...3).map { Fixtures.payload($0) })
        let firstSeqs = log.segmentPaths().map { LogFormat.firstSeq(segmentName: String($0.split(separator: "/").last!))! }
        #expect(firstSeqs == (slack == 0 ? [1, 3] : [1, 2, 3]))
    }

    @Test("segment_bytes must leave room for a record; max_batch_records must be at least 1")
    func invalidOptions() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var o = Fixtures.options(segmentBytes: LogFormat.segmentHeaderBytes)
        #expect(throws: LogOpenError.self) { _ = try Log.open(dir: dir.path, options: o, isDelivered: { _ in true }, onDurable: {}) }
        o.segmentBytes = LogOptions.maxSegmentBytes + 1
        #expect(throws: LogOpenError.self) { _ = try Log.open(dir: dir.path, options: o, isDelivered: { _ in true }, onDurable: {}) }
        o.segmentBytes = LogFormat.segmentHeaderBytes + 1
        o.maxBatchRecords = 0
        #expect(throws: LogOpenError.invalidOption("max_batch_records must be at least 1")) {
            _ = try Log.open(dir: dir.path, options: o, isDelivered: { _ in true }, onDurable: {})
        }
        o.maxBatchRecords = 1
        let opened = try Log.open(dir: dir.path, options: o, isDelivered: { _ in true }, onDurable: {})
        opened.writer.shutdown { opened.index }
    }

    @Test("max_batch_records bounds each group commit", arguments: [1, 4])
    func batchBound(maxBatch: Int) throws {
        var o = Fixtures.options()
        o.maxBatchRecords = maxBatch
        let log = try TestLog(options: o)
        defer {
            log.close()
            log.dir.remove()
        }
        let count = 200
        for i in 1...count { log.writer.submit(Fixtures.payload(i), ticket: UInt64(i)) }
        let done = log.wait(for: count)
        #expect(done.allSatisfy { $0.seq != nil })
        let batches = log.writer.batchCount
        #expect(batches >= count / maxBatch)
        if maxBatch == 1 { #expect(log.probe.count(of: .fdatasync) - 1 == count) }  // 1: the first segment
    }

    @Test("the reader keeps at most maxOpenFiles segment descriptors and still reads every segment")
    func readerDescriptorBound() throws {
        let log = try TestLog(options: Fixtures.options(segmentBytes: 400))
        defer {
            log.close()
            log.dir.remove()
        }
        log.append((1...6).map { Fixtures.payload($0) })
        #expect(log.segmentPaths().count == 6)
        let reader = LogReader(dir: log.dir.path, maxOpenFiles: 2)
        for seq in 1...6 {
            #expect(try reader.read(seq: UInt64(seq), index: log.index)?.seq == UInt64(seq))
            #expect(reader.openFileCount <= 2)
        }
        #expect(reader.openFileCount == 2)
    }

    @Test("records shorter and longer than the reader's first read come back whole; damage past the first read is found")
    func readerFirstRead() throws {
        let log = try TestLog(options: Fixtures.options())
        defer {
            log.close()
            log.dir.remove()
        }
        let first = SegmentReader.firstReadBytes
        let sizes = [64, first - 2000, first - 700, first, first + 1, 3 * first]
        log.append(sizes.enumerated().map { .event(Fixtures.request(bodyBytes: $1), Fixtures.event($0 + 1)) })
        let reader = LogReader(dir: log.dir.path)
        var frames: [Int] = []
        for (i, size) in sizes.enumerated() {
            let record = try #require(try reader.read(seq: UInt64(i + 1), index: log.index))
            guard case .event(let request, _) = record.payload else {
                Issue.record("record \(i + 1) is no event")
                continue
            }
            #expect(request.body == Fixtures.request(bodyBytes: size).body)
            let at = try #require(log.index.location(of: UInt64(i + 1))).offset
            let end = try #require(try FileSystem.size(log.segmentPaths()[0]))
            let next = log.index.location(of: UInt64(i + 2))?.offset ?? end
            frames.append(Int(next - at))
        }
        // The sizes straddle the first read: some frames fit it, some do not.
        #expect(frames.contains { $0 < first } && frames.contains { $0 > first + 100 })
        // The last byte of the longest record, far past the first read.
        let last = try #require(log.index.location(of: UInt64(sizes.count)))
        let file = try File.open(log.segmentPaths()[0], flags: O_RDWR)
        let at = last.offset + Int64(frames.last! - 1)
        var byte = try file.read(count: 1, at: at)
        byte[0] ^= 0x5A
        try file.pwriteAll(byte, at: at)
        file.close()
        let fresh = LogReader(dir: log.dir.path)
        #expect(throws: LogReadError.self) { _ = try fresh.read(seq: UInt64(sizes.count), index: log.index) }
        #expect(try fresh.read(seq: 1, index: log.index) != nil)
    }
}

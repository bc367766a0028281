import CLinuxShim
import Glibc
import PayhookCore
import PayhookPosix
import TestSupport
import Testing

@testable import PayhookLog
@testable import PayhookStore

/// Faults are injected per directory (`FileProbe`), so these tests run in parallel safely.
@Suite struct LogWriterFaultTests {
    private func activeSize(_ log: TestLog) -> Int64 {
        (try? FileSystem.size(log.segmentPaths().last!)) ?? nil ?? -1
    }

    /// Submits `count` records at once and waits for all of them.
    private func submitBatch(_ log: TestLog, from: Int, count: Int) -> [LogCompletion] {
        var payloads: [UInt64: LogPayload] = [:]
        for i in from..<(from + count) {
            payloads[UInt64(i)] = Fixtures.payload(i)
            log.writer.submit(Fixtures.payload(i), ticket: UInt64(i))
        }
        return log.wait(for: count, payloads: payloads)
    }

    @Test("ENOSPC and EIO on write fail every ticket, restore the file, keep seqs, and the log recovers", arguments: [Errno.noSpace, Errno.io])
    func writeErrorFailsBatch(errno: Errno) throws {
        let log = try TestLog()
        defer {
            log.close()
            log.dir.remove()
        }
        log.append([Fixtures.payload(1)])
        let size = activeSize(log)
        let syncsBefore = log.probe.count(of: .fdatasync)
        log.probe.arm("pwrite", errno, count: 1000)
        let failed = submitBatch(log, from: 2, count: 20)
        #expect(failed.count == 20)
        for c in failed {
            switch c.result {
            case .failure(.storageFull(let e)): #expect(errno == .noSpace && e.errno == errno)
            case .failure(.io(let e)): #expect(errno == .io && e.errno == errno)
            default: Issue.record("ticket \(c.ticket): \(c.result)")
            }
        }
        #expect(log.probe.count(of: .fdatasync) == syncsBefore)
        #expect(activeSize(log) == size)
        #expect(log.writer.isWritable)
        log.probe.disarmAll()
        let ok = log.append([Fixtures.payload(2)], firstTicket: 100)
        #expect(ok.first?.seq == 2)
    }

    @Test("a short write followed by ENOSPC fails the batch and truncates the partial bytes away")
    func shortWriteThenNoSpace() throws {
        let log = try TestLog()
        defer {
            log.close()
            log.dir.remove()
        }
        log.append([Fixtures.payload(1)])
        let size = activeSize(log)
        log.probe.armShortWrite(count: 1)
        log.probe.arm("pwrite", .noSpace, count: 1, skip: 1)
        let failed = log.append([Fixtures.payload(2)], firstTicket: 2)
        guard case .failure(.storageFull) = failed.first?.result else {
            Issue.record("\(failed)")
            return
        }
        #expect(activeSize(log) == size)
        log.probe.disarmAll()
        log.close()
        let again = try TestLog(dir: log.dir)
        defer { again.close() }
        #expect(again.opened.report.truncated == nil)
        #expect(again.index.nextSeq == 2)
    }

    @Test("a short write that the retry completes is durable and correct")
    func shortWriteRetried() throws {
        let log = try TestLog()
        defer {
            log.close()
            log.dir.remove()
        }
        log.probe.armShortWrite(count: 3)
        let done = log.append([Fixtures.payload(1)])
        #expect(done.first?.seq == 1)
        #expect(try log.opened.reader.read(seq: 1, index: log.index)?.event?.id == Fixtures.event(1).id)
    }

    @Test("fdatasync EIO is fatal: no ticket succeeds, the writer fails and refuses later records")
    func fdatasyncFatal() throws {
        let log = try TestLog()
        defer {
            log.close()
            log.dir.remove()
        }
        log.append([Fixtures.payload(1)])
        log.probe.arm("fdatasync", .io)
        let failed = submitBatch(log, from: 2, count: 10)
        #expect(failed.count == 10)
        #expect(failed.allSatisfy { $0.result == .failure(.failed(SyscallError(call: "fdatasync", errno: .io))) })
        #expect(log.writer.state == .failed(SyscallError(call: "fdatasync", errno: .io)))
        #expect(!log.writer.isWritable)
        let later = log.append([Fixtures.payload(20)], firstTicket: 20)
        #expect(later.first?.seq == nil)
    }

    @Test("ENOSPC while creating the next segment fails the batch; the log rolls once space returns")
    func rollFailure() throws {
        let log = try TestLog(options: Fixtures.options(segmentBytes: 400))
        defer {
            log.close()
            log.dir.remove()
        }
        log.append([Fixtures.payload(1), Fixtures.payload(2)])
        let segments = log.segmentPaths().count
        log.probe.arm("open", .noSpace, count: 1)
        let failed = log.append([Fixtures.payload(3)], firstTicket: 3)
        guard case .failure(.storageFull) = failed.first?.result else {
            Issue.record("\(failed)")
            return
        }
        let ok = log.append([Fixtures.payload(3)], firstTicket: 4)
        #expect(ok.first?.seq == 3)
        #expect(log.segmentPaths().count == segments + 1)
    }
}

import CLinuxShim
import Glibc
import PayhookPosix

/// The segment the writer appends to.
public struct ActiveSegment {
    var file: File
    var firstSeq: UInt64
    /// Bytes of the header plus every durable record (the next write offset).
    var size: Int64
}

/// How a step of the commit failed.
enum CommitFailure: Error {
    /// The batch fails; the file was put back as it was and the log stays usable.
    case recoverable(LogWriteError)
    /// fdatasync/fsync failed: the log stops.
    case fatal(SyscallError)
}

extension SegmentWriter {
    /// Writes one batch: as many chunks as segments it touches (usually one), each one pwrite
    /// and one fdatasync, then publishes every completion and calls `onDurable` once.
    func commit(_ batch: [Pending]) {
        var results: [LogCompletion] = []
        results.reserveCapacity(batch.count)
        var durable: [Committed<Entry>] = []
        var i = 0
        while i < batch.count {
            do throws(CommitFailure) {
                var chunk = try writeChunk(batch[i...])
                if chunk.isEmpty {
                    // The next record does not fit the active segment: start a new one, which
                    // takes at least one record whatever its size.
                    try roll()
                    chunk = try writeChunk(batch[i...])
                }
                for (k, (appended, frameBytes)) in chunk.enumerated() {
                    let p = batch[i + k]
                    results.append(LogCompletion(ticket: p.ticket, result: .success(appended), frameBytes: frameBytes))
                    durable.append(Committed(entry: p.entry, appended: appended, frameBytes: frameBytes))
                }
                i += chunk.count
            } catch {
                switch error {
                case .recoverable(let e):
                    for p in batch[i...] { results.append(LogCompletion(ticket: p.ticket, result: .failure(e), frameBytes: 0)) }
                    i = batch.count
                case .fatal(let e):
                    failFatally(e, rest: batch[i...], results: results)
                    if !durable.isEmpty { onCommitted(durable) }
                    return
                }
            }
        }
        batchCount.add(1, ordering: .relaxed)
        recordCount.add(durable.count, ordering: .relaxed)
        lock.withLock { completions.append(contentsOf: results) }
        onDurable()
        if !durable.isEmpty { onCommitted(durable) }
    }

    /// Encodes records from the front of `pending` that fit the active segment (none when the
    /// first does not fit a segment that has records; at least one in an empty segment),
    /// appends them with one pwrite and makes them durable with one fdatasync.
    private func writeChunk(_ pending: ArraySlice<Pending>) throws(CommitFailure) -> [(AppendedRecord, Int)] {
        buffer.removeAll(keepingCapacity: true)
        let start = active.size
        var out: [(AppendedRecord, Int)] = []
        var seq = nextSeq
        for p in pending {
            let before = buffer.count
            let frameBytes = FrameCodec.appendFrame(p.entry, seq: seq, to: &buffer)
            let segmentHasRecords = !out.isEmpty || start > Int64(LogFormat.segmentHeaderBytes)
            if segmentHasRecords && start + Int64(buffer.count) > Int64(options.segmentBytes) {
                buffer.removeLast(frameBytes)
                break
            }
            let location = RecordLocation(segmentFirstSeq: active.firstSeq, offset: start + Int64(before))
            out.append((AppendedRecord(seq: seq, location: location), frameBytes))
            seq += 1
        }
        if out.isEmpty { return out }
        do throws(SyscallError) {
            try active.file.pwriteAll(buffer, at: start)
        } catch {
            // Put the file back as it was before the batch, so the next batch (same seqs)
            // starts at a record boundary. If even that fails the tail is unknown: stop.
            do throws(SyscallError) {
                try active.file.truncate(to: start)
            } catch {
                throw .fatal(error)
            }
            throw .recoverable(.write(error))
        }
        do throws(SyscallError) {
            fdatasyncCount.add(1, ordering: .relaxed)
            let startNs = cshim_monotonic_ns()
            try active.file.fdatasync()
            fdatasyncTime.observe(Int(cshim_monotonic_ns() &- startNs))
            batchRecords.observe(out.count)
        } catch {
            throw .fatal(error)
        }
        active.size = start + Int64(buffer.count)
        nextSeq = seq
        return out
    }

    /// Starts a new segment named after the next seq: header, fdatasync, fsync of the directory.
    func roll() throws(CommitFailure) {
        let path = logDir + "/" + LogFormat.segmentName(firstSeq: nextSeq)
        let header = SegmentHeader(firstSeq: nextSeq, createdMs: options.clock.nowUnixMs()).encoded()
        let file: File
        do throws(SyscallError) {
            file = try File.open(path, flags: O_RDWR | O_CREAT | O_TRUNC)
        } catch {
            throw .recoverable(.write(error))
        }
        do throws(SyscallError) {
            try file.pwriteAll(header, at: 0)
        } catch {
            file.close()
            try? FileSystem.unlink(path)
            throw .recoverable(.write(error))
        }
        do throws(SyscallError) {
            fdatasyncCount.add(1, ordering: .relaxed)
            try file.fdatasync()
            try FileSystem.syncDirectory(logDir)
        } catch {
            file.close()
            throw .fatal(error)
        }
        active.file.close()
        active = ActiveSegment(file: file, firstSeq: nextSeq, size: Int64(header.count))
    }

    /// fdatasync failed: fail this batch's remaining records and everything queued, stop.
    private func failFatally(_ e: SyscallError, rest: ArraySlice<Pending>, results: [LogCompletion]) {
        var all = results
        for p in rest { all.append(LogCompletion(ticket: p.ticket, result: .failure(.failed(e)), frameBytes: 0)) }
        lock.withLock {
            stateValue = .failed(e)
            for p in queue { all.append(LogCompletion(ticket: p.ticket, result: .failure(.failed(e)), frameBytes: 0)) }
            queue.removeAll()
            stopping = true
            completions.append(contentsOf: all)
        }
        onDurable()
    }
}

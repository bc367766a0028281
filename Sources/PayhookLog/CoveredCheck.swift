import CLinuxShim
import Glibc
import PayhookPosix
import Synchronization

/// Start-up's check of the segments a snapshot covers (design.md: damage in the middle of the
/// log stops start-up, also where the snapshot spares the replay): every frame must start where
/// the snapshot's map says, end where the next one starts, and carry a valid CRC. Nothing is
/// decoded.
///
/// At ten million events that is about 8 GB to read, so the check is built for it:
/// - each segment is read in windows of whole frames (`windowBytes`) into one buffer per
///   thread, reused: reading a whole segment into a new array cost a page fault per 4 KiB of
///   it, most of the check's time;
/// - segments are shared out among up to `maxThreads` threads (no more than the CPUs online),
///   taken in seq order. The damage reported is the lowest found, which is the first damage of
///   the log: every segment below it was taken and checked to its end or its own damage.
public enum CoveredCheck {
    /// A window holds at least one whole frame, so a frame larger than this gets its own.
    static let windowBytes = 4 << 20
    static let maxThreads = 4

    static var defaultThreads: Int { max(1, min(maxThreads, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))) }

    /// `window`: bytes a read covers at most (tests use tiny ones to cross window edges).
    static func run(logDir: String, segments: [SegmentSummary], threads: Int = defaultThreads, window: Int = windowBytes) throws(LogOpenError) {
        if segments.isEmpty { return }
        let work = Work(segments: segments, logDir: logDir, window: window)
        let helpers = (1..<min(threads, segments.count)).compactMap { i in
            try? PosixThread.spawn(name: "payhookd-check\(i)") { work.drain() }
        }
        work.drain()
        for t in helpers { t.join() }
        if let first = work.firstDamage() { throw first }
    }

    /// Runs the check on a thread of its own (`CoveredCheckMode.afterOpen`), one segment at a
    /// time: the daemon serves meanwhile and keeps the other CPU. A segment that is gone
    /// (retention deleted it meanwhile) is skipped. The outcome goes to the journal and to
    /// `progress`.
    public static func background(logDir: String, segments: [SegmentSummary]) -> CoveredCheckProgress {
        let progress = CoveredCheckProgress(segments: segments.count)
        let started = try? PosixThread.spawn(name: "payhookd-check") {
            var buffer = Buffer(bytes: windowBytes)
            defer { buffer.free() }
            for summary in segments {
                do throws(LogOpenError) {
                    try check(summary, logDir: logDir, window: windowBytes, buffer: &buffer)
                } catch .io(let e) where e.errno == .noEntry {
                    // Retention took it.
                } catch {
                    progress.found(error)
                    Journal.error(
                        "log: damage in a segment the snapshot covers, found after start-up: \(error). New events are still stored; `payhookd log verify` lists the damage (payhook_log_covered_damaged 1)"
                    )
                    return
                }
                progress.checked.add(1, ordering: .relaxed)
            }
            progress.done.store(true, ordering: .releasing)
            Journal.info("log: the \(segments.count) segments the snapshot covers checked, no damage")
        }
        started?.detach()
        if started == nil { progress.found(.invalidOption("could not start the covered-segments check thread")) }
        return progress
    }

    /// Segments not taken yet, and the damage found so far (by segment index).
    private final class Work: Sendable {
        let segments: [SegmentSummary]
        let logDir: String
        let window: Int
        let next = Atomic<Int>(0)
        let damage = Mutex<[(Int, LogOpenError)]>([])

        init(segments: [SegmentSummary], logDir: String, window: Int) {
            self.segments = segments
            self.logDir = logDir
            self.window = window
        }

        func drain() {
            var buffer = Buffer(bytes: window)
            defer { buffer.free() }
            while true {
                let i = next.add(1, ordering: .relaxed).oldValue
                guard i < segments.count else { return }
                do throws(LogOpenError) {
                    try CoveredCheck.check(segments[i], logDir: logDir, window: window, buffer: &buffer)
                } catch {
                    damage.withLock { $0.append((i, error)) }
                    return
                }
            }
        }

        func firstDamage() -> LogOpenError? { damage.withLock { $0.min { $0.0 < $1.0 }?.1 } }
    }

    /// A reusable read buffer (grown for a frame larger than the window).
    struct Buffer {
        var raw: UnsafeMutableRawBufferPointer

        init(bytes: Int) { raw = .allocate(byteCount: bytes, alignment: 16) }

        mutating func reserve(_ bytes: Int) {
            guard bytes > raw.count else { return }
            raw.deallocate()
            raw = .allocate(byteCount: bytes, alignment: 16)
        }

        func free() { raw.deallocate() }
    }

    /// Checks one segment's header and frames against its summary.
    static func check(_ summary: SegmentSummary, logDir: String, window: Int, buffer: inout Buffer) throws(LogOpenError) {
        let path = logDir + "/" + summary.name
        let file: File
        do throws(SyscallError) { file = try File.open(path, flags: O_RDONLY) } catch { throw .io(error) }
        defer { file.close() }
        let head: [UInt8]
        do throws(SyscallError) { head = try file.read(count: LogFormat.segmentHeaderBytes, at: 0) } catch { throw .io(error) }
        let header: SegmentHeader
        do throws(DecodeError) { header = try SegmentHeader.decode(head[...]) } catch {
            throw .damaged(segment: path, offset: Int64(error.offset), reason: error.what)
        }
        guard header.firstSeq == summary.firstSeq else {
            throw .damaged(segment: path, offset: 12, reason: "header first seq differs from the file name")
        }
        if let (offset, reason) = try checkFrames(of: summary, in: file, window: window, buffer: &buffer) {
            throw .damaged(segment: path, offset: offset, reason: reason)
        }
    }

    /// The first damage in `summary`'s frames, or `nil`.
    private static func checkFrames(of summary: SegmentSummary, in file: File, window windowBytes: Int, buffer: inout Buffer) throws(LogOpenError)
        -> (Int64, String)?
    {
        let offsets = summary.offsets
        if offsets.first.map({ Int($0) != LogFormat.segmentHeaderBytes }) ?? (summary.endOffset != Int64(LogFormat.segmentHeaderBytes)) {
            let first = offsets.first.map { Int64($0) } ?? summary.endOffset
            return (Int64(LogFormat.segmentHeaderBytes), "frame at \(LogFormat.segmentHeaderBytes) where the snapshot has one at \(first)")
        }
        func end(_ k: Int) -> Int64 { k + 1 < offsets.count ? Int64(offsets[k + 1]) : summary.endOffset }
        var k = 0
        while k < offsets.count {
            // A window of whole frames k..<j starting at frame k.
            let base = Int64(offsets[k])
            var j = k + 1
            while j < offsets.count && end(j) - base <= Int64(windowBytes) { j += 1 }
            let count = Int(end(j - 1) - base)
            guard count > 0 else { return (base, "frame at \(base) where the snapshot ends the segment") }
            buffer.reserve(count)
            let window = UnsafeMutableRawBufferPointer(rebasing: buffer.raw[0..<count])
            let got: Int
            do throws(SyscallError) { got = try file.pread(into: window, at: base) } catch { throw .io(error) }
            for frame in k..<j {
                let at = Int(Int64(offsets[frame]) - base)
                if let damage = checkFrame(at: at, ending: Int(end(frame) - base), in: UnsafeRawBufferPointer(window), valid: got, base: base) {
                    return damage
                }
            }
            k = j
        }
        return nil
    }

    /// One frame at `at` of `bytes` (the first `valid` of them read; file offset `base + at`)
    /// that must end at `expectedEnd`. The damage's file offset and what it is.
    private static func checkFrame(at: Int, ending expectedEnd: Int, in bytes: UnsafeRawBufferPointer, valid: Int, base: Int64) -> (Int64, String)? {
        let h = LogFormat.frameHeaderBytes
        let fileAt = base + Int64(at)
        guard at + h <= valid else { return (fileAt, "frame header cut short") }
        let length = bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self).littleEndian
        let frameEnd = at + h + Int(length)
        guard length >= 1, length <= LogFormat.maxRecordBytes, frameEnd <= valid else {
            return (fileAt, "frame length \(length) out of bounds")
        }
        let crc = FrameCodec.checksum(length: length, payload: UnsafeRawBufferPointer(rebasing: bytes[(at + h)..<frameEnd]))
        guard crc == bytes.loadUnaligned(fromByteOffset: at + 4, as: UInt32.self).littleEndian else { return (fileAt, "CRC mismatch") }
        guard frameEnd == expectedEnd else {
            return (base + Int64(frameEnd), "frame ends at \(base + Int64(frameEnd)) where the snapshot has the next at \(base + Int64(expectedEnd))")
        }
        return nil
    }
}

/// How far the background check of covered segments got (`CoveredCheck.background`), read by
/// the daemon's metrics.
public final class CoveredCheckProgress: Sendable {
    public let segments: Int
    public let checked = Atomic<Int>(0)
    public let done = Atomic<Bool>(false)
    private let damage = Mutex<LogOpenError?>(nil)

    init(segments: Int) { self.segments = segments }

    func found(_ error: LogOpenError) {
        damage.withLock { $0 = error }
        done.store(true, ordering: .releasing)
    }

    /// The damage found, `nil` while none is (or the check passed).
    public var damaged: LogOpenError? { damage.withLock { $0 } }
}

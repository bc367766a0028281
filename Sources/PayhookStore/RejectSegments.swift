import Glibc
import PayhookLog
import PayhookPosix

/// The rejects store on disk (format in `RejectEntry.swift`): at most `segments` append-only
/// files of at most `segmentBytes` each, so the bound holds exactly on disk, and deleting the
/// oldest rejects is one unlink. Writer thread only.
struct RejectSegments {
    let directory: String
    let options: RejectStoreOptions
    /// (first id, bytes) of each segment, oldest first; the last one is open for appends.
    private(set) var segments: [(firstID: UInt64, bytes: Int)] = []
    private var open: File?
    /// Frames in the open segment (ids are its first id + the frame's index).
    private var openFrames: UInt64 = 0
    private(set) var nextID: UInt64 = 1

    /// Reads the segment sizes. A restart never appends to an old segment (its tail may be
    /// torn); the next segment's first id is past any id the last one can hold.
    init(directory: String, options: RejectStoreOptions) throws(SyscallError) {
        self.directory = directory
        self.options = options
        for name in try FileSystem.list(directory) {
            guard let id = Self.parse(name), let size = try FileSystem.size(directory + "/" + name) else { continue }
            segments.append((id, Int(size)))
        }
        segments.sort { $0.firstID < $1.firstID }
        if let last = segments.last { nextID = last.firstID + UInt64(last.bytes / RejectEntry.headerBytes) + 1 }
    }

    /// Appends the encoded frames of `entries` (each at most `segmentBytes`), rotating and
    /// deleting the oldest segment as needed. Returns how many were written, and the cause for
    /// those that were not.
    mutating func append(_ frames: [[UInt8]]) -> (written: Int, dropped: [RejectDropCause]) {
        var written = 0
        var dropped: [RejectDropCause] = []
        let total = frames.reduce(0) { $0 + $1.count }
        // The log must find room before rejects do: checked once per batch (the batch is bounded
        // by the queue, so the reserve is overshot by one queue's bytes at most).
        if let free = options.availableBytes(directory), free < options.reserveBytes + Int64(total) {
            return (0, Array(repeating: .diskReserve, count: frames.count))
        }
        for frame in frames {
            guard frame.count <= options.segmentBytes else {
                dropped.append(.tooLarge)
                continue
            }
            do throws(SyscallError) {
                try write(frame)
                written += 1
            } catch {
                dropped.append(.writeFailed)
                close()  // the next frame starts a fresh segment rather than append after a hole
            }
        }
        return (written, dropped)
    }

    private mutating func write(_ frame: [UInt8]) throws(SyscallError) {
        if open == nil || segments[segments.count - 1].bytes + frame.count > options.segmentBytes {
            try rotate()
        }
        guard let file = open else { return }
        let offset = segments[segments.count - 1].bytes
        try file.pwriteAll(frame, at: Int64(offset))
        segments[segments.count - 1].bytes += frame.count
        openFrames += 1
        nextID += 1
    }

    /// Deletes the oldest segments until one more fits, then starts a new one.
    private mutating func rotate() throws(SyscallError) {
        close()
        while segments.count >= options.segments {
            let oldest = segments.removeFirst()
            try? FileSystem.unlink(directory + "/" + Self.segmentName(oldest.firstID))
            try? FileSystem.unlink(directory + "/" + Self.doneName(oldest.firstID))
        }
        let name = Self.segmentName(nextID)
        open = try File.open(directory + "/" + name, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o640)
        segments.append((nextID, 0))
        openFrames = 0
    }

    mutating func close() {
        open?.close()
        open = nil
    }

    static func segmentName(_ firstID: UInt64) -> String { digits(firstID) + ".rjs" }
    static func doneName(_ firstID: UInt64) -> String { digits(firstID) + ".done" }

    private static func digits(_ id: UInt64) -> String {
        let d = String(id)
        return String(repeating: "0", count: max(0, 20 - d.count)) + d
    }

    /// The first id of a segment file name.
    static func parse(_ name: String) -> UInt64? {
        name.hasSuffix(".rjs") ? UInt64(name.dropLast(4)) : nil
    }
}

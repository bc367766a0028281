/// Where a record starts: its segment (by first seq) and the byte offset of its frame.
public struct RecordLocation: Sendable, Equatable, Hashable {
    public var segmentFirstSeq: UInt64
    public var offset: Int64
    public init(segmentFirstSeq: UInt64, offset: Int64) {
        self.segmentFirstSeq = segmentFirstSeq
        self.offset = offset
    }
}

/// A record the writer made durable: its seq and where it lies.
public struct AppendedRecord: Sendable, Equatable {
    public var seq: UInt64
    public var location: RecordLocation
    public init(seq: UInt64, location: RecordLocation) {
        self.seq = seq
        self.location = location
    }
}

/// What the log knows of one segment: where each record starts (seqs are dense, so the
/// record of seq s is at `offsets[s - firstSeq]`), its size and its newest receive time.
public struct SegmentSummary: Sendable, Equatable {
    public var firstSeq: UInt64
    public var offsets: [UInt32]
    /// End of the last record (the segment's size as far as the index knows).
    public var endOffset: Int64
    public var newestMs: Int64
    public var lastSeq: UInt64 { firstSeq + UInt64(offsets.count) - 1 }
    public var name: String { LogFormat.segmentName(firstSeq: firstSeq) }

    public init(firstSeq: UInt64, offsets: [UInt32], endOffset: Int64, newestMs: Int64) {
        self.firstSeq = firstSeq
        self.offsets = offsets
        self.endOffset = endOffset
        self.newestMs = newestMs
    }
}

/// seq -> location over the segments on disk, and the next seq. A value owned by one thread
/// (the store's index embeds it: the loop owns the live one, the snapshot worker a copy).
public struct SegmentMap: Sendable, Equatable {
    /// The seq the next record will get (last durable seq + 1).
    public var nextSeq: UInt64 = 1
    public var segments: [SegmentSummary] = []

    public init() {}

    /// Seq of the newest durable record, 0 for an empty log.
    public var lastSeq: UInt64 { nextSeq - 1 }

    /// Where the record of `seq` lies, or `nil` when it is not (or no longer) in the log.
    public func location(of seq: UInt64) -> RecordLocation? {
        // Segments are few (size / segment_bytes): a binary search on first seq.
        var lo = 0
        var hi = segments.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let s = segments[mid]
            if seq < s.firstSeq {
                hi = mid - 1
            } else if seq > s.lastSeq {
                lo = mid + 1
            } else {
                return RecordLocation(segmentFirstSeq: s.firstSeq, offset: Int64(s.offsets[Int(seq - s.firstSeq)]))
            }
        }
        return nil
    }

    /// Notes a durable record (from the writer, or during recovery): the seqs must come dense.
    /// `frameBytes` is the record's size on disk.
    public mutating func append(_ appended: AppendedRecord, frameBytes: Int, receivedAtMs: Int64) {
        precondition(appended.seq == nextSeq, "seq \(appended.seq) applied where \(nextSeq) was expected")
        nextSeq += 1
        let loc = appended.location
        if segments.last?.firstSeq != loc.segmentFirstSeq {
            precondition(loc.segmentFirstSeq == appended.seq, "a segment starts at its first seq")
            segments.append(SegmentSummary(firstSeq: loc.segmentFirstSeq, offsets: [], endOffset: 0, newestMs: .min))
        }
        let last = segments.count - 1
        precondition(loc.offset <= Int64(UInt32.max), "segment offset \(loc.offset) beyond 4 GiB")
        segments[last].offsets.append(UInt32(loc.offset))
        segments[last].endOffset = loc.offset + Int64(frameBytes)
        segments[last].newestMs = max(segments[last].newestMs, receivedAtMs)
    }

    /// Forgets the segments deleted by retention.
    public mutating func dropSegments(through lastSeq: UInt64) {
        segments.removeAll { $0.lastSeq <= lastSeq }
    }
}

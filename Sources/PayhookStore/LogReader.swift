import PayhookLog

/// Reads single records by location or seq, for the admin API (`/v1/payments/.../events`,
/// `/v1/events`) and hook delivery: PayhookLog's `SegmentReader` with the bodies decoded.
/// Reads run on a background thread (`RecordFetcher`), never on the event loop.
public final class LogReader: Sendable {
    let segments: SegmentReader

    /// A reader over `storage.dir` (`dir`); segments are opened on demand.
    public init(dir: String, maxOpenFiles: Int = 16) {
        segments = SegmentReader(logDir: Log.logDirectory(dir), maxOpenFiles: maxOpenFiles)
    }

    public var logDir: String { segments.logDir }
    public var maxOpenFiles: Int { segments.maxOpenFiles }
    /// Segment descriptors open now (at most `maxOpenFiles`).
    public var openFileCount: Int { segments.openFileCount }

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

    /// The record at `location`; `nil` when its segment no longer exists. Thread-safe.
    public func read(at location: RecordLocation) throws(LogReadError) -> LogRecord? {
        try segments.read(at: location) { (payload: [UInt8]) throws(DecodeError) in try RecordCodec.decodePayload(payload[...]) }
    }
}

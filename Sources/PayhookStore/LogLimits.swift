import PayhookCore
import PayhookLog

/// Bounds checked when a record is submitted (before any I/O), tighter than the format's own.
/// Each limit has its unit last and its default in its doc comment.
public struct LogLimits: Sendable, Equatable {
    /// Longest string field (source, addresses, method, path, header value, event fields).
    /// Default 8,192 bytes.
    public var maxFieldBytes: Int = 8192
    /// Most headers stored per request. Default 16.
    public var maxHeaderCount: Int = 16
    /// Largest request body stored. Default 4 MiB (above `server.max_body_bytes`, 1 MiB).
    public var maxBodyBytes: Int = 4 * 1024 * 1024

    public init() {}
}

extension LogLimits {
    /// `request` cut to fit these bounds: headers beyond `maxHeaderCount` dropped, every string
    /// cut to `maxFieldBytes` bytes, the body to `maxBodyBytes` (`bodyCut` then says so). Used
    /// for what is kept as evidence (audit headers, rejects): cutting beats refusing to keep it.
    public func fitted(_ request: StoredRequest) -> (request: StoredRequest, bodyCut: Bool) {
        var r = request
        let cap = min(maxFieldBytes, LogFormat.maxStringBytes)
        let bodyCut = r.body.count > maxBodyBytes
        if bodyCut { r.body.removeLast(r.body.count - maxBodyBytes) }
        if r.headers.count > maxHeaderCount { r.headers.removeLast(r.headers.count - maxHeaderCount) }
        r.peerAddress = r.peerAddress.prefix(utf8Bytes: cap)
        r.clientAddress = r.clientAddress.prefix(utf8Bytes: cap)
        r.method = r.method.prefix(utf8Bytes: cap)
        r.path = r.path.prefix(utf8Bytes: cap)
        r.headers = r.headers.map { HeaderField($0.name.prefix(utf8Bytes: cap), $0.value.prefix(utf8Bytes: cap)) }
        return (r, bodyCut)
    }
}

extension LogLimits {
    /// Checks every field of `payload` against the limits; throws the first one over.
    public func check(_ payload: LogPayload) throws(RecordTooLarge) {
        switch payload {
        case .event(let request, let event):
            try check(request)
            for (name, value) in EventField.strings(of: event) { try field(name, value) }
        case .duplicate(let d, _):
            for (name, value) in [("source", d.source), ("peer", d.peerAddress), ("client", d.clientAddress), ("id", d.eventID)] {
                try field(name, value)
            }
        case .other(_, _, let bytes):
            if bytes.count > maxBodyBytes { throw RecordTooLarge(field: "payload bytes", bytes: bytes.count, limit: maxBodyBytes) }
        }
    }

    /// Checks the request fields (also used by the rejects store).
    public func check(_ r: StoredRequest) throws(RecordTooLarge) {
        for (name, value) in [("peer", r.peerAddress), ("client", r.clientAddress), ("method", r.method), ("path", r.path)] {
            try field(name, value)
        }
        if r.headers.count > maxHeaderCount {
            throw RecordTooLarge(field: "header count", bytes: r.headers.count, limit: maxHeaderCount)
        }
        for h in r.headers {
            try field("header name", h.name)
            try field("header \(h.name)", h.value)
        }
        if r.body.count > maxBodyBytes { throw RecordTooLarge(field: "body bytes", bytes: r.body.count, limit: maxBodyBytes) }
    }

    /// The name of the first event field (in record order) longer than the field bound, `nil`
    /// when every field fits: ingest quarantines such an event rather than refuse it.
    public func fieldOverLimit(_ event: NormalizedEvent) -> String? {
        EventField.strings(of: event).first { (_, value) in (value?.utf8.count ?? 0) > min(maxFieldBytes, LogFormat.maxStringBytes) }?.0
    }

    private func field(_ name: String, _ value: String?) throws(RecordTooLarge) {
        guard let value else { return }
        let n = value.utf8.count
        if n > min(maxFieldBytes, LogFormat.maxStringBytes) {
            throw RecordTooLarge(field: "\(name) bytes", bytes: n, limit: min(maxFieldBytes, LogFormat.maxStringBytes))
        }
    }
}

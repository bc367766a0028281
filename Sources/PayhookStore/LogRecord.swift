import PayhookCore
import PayhookLog

/// A header name/value pair as received (only the headers that matter are stored).
public struct HeaderField: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// The HTTP request of a notification, kept byte for byte for audits, `log dump --raw` and
/// `rejects reverify`.
public struct StoredRequest: Sendable, Equatable {
    /// The TCP peer (`127.0.0.1:51234`, `unix`).
    public var peerAddress: String
    /// The client address after `trusted_proxies` (`X-Real-IP` / `X-Forwarded-For`).
    public var clientAddress: String
    public var method: String
    public var path: String
    public var headers: [HeaderField]
    public var body: [UInt8]
    /// Whether `body` is valid JSON (checked at ingest), so `log dump` can embed it as `data`.
    public var bodyIsJSON: Bool

    public init(
        peerAddress: String, clientAddress: String, method: String = "POST", path: String,
        headers: [HeaderField], body: [UInt8], bodyIsJSON: Bool
    ) {
        self.peerAddress = peerAddress
        self.clientAddress = clientAddress
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.bodyIsJSON = bodyIsJSON
    }
}

/// A second delivery of a stored notification, recorded compactly (no body).
public struct DuplicateMarker: Sendable, Equatable {
    public var source: String
    public var peerAddress: String
    public var clientAddress: String
    public var eventID: String
    public var originalSeq: UInt64
    public init(source: String, peerAddress: String, clientAddress: String, eventID: String, originalSeq: UInt64) {
        self.source = source
        self.peerAddress = peerAddress
        self.clientAddress = clientAddress
        self.eventID = eventID
        self.originalSeq = originalSeq
    }
}

/// Kinds of records; the type byte lets later versions add kinds without a format change.
public enum RecordType: UInt8, Sendable {
    case event = 1
    case duplicate = 2
    case hookParked = 3
}

/// What a record holds, by record type. The log frames it and writes its header; the body is
/// `RecordCodec`'s.
public enum LogPayload: Sendable, Equatable, LogEntry {
    /// An authentic notification: the request and its normalized event (receive time, source and
    /// verification result live in the event).
    case event(StoredRequest, NormalizedEvent)
    case duplicate(DuplicateMarker, receivedAtMs: Int64)
    /// A record type this version does not know (written by a later version), or `hook_parked`.
    case other(type: UInt8, receivedAtMs: Int64, bytes: [UInt8])

    public var type: UInt8 {
        switch self {
        case .event: RecordType.event.rawValue
        case .duplicate: RecordType.duplicate.rawValue
        case .other(let type, _, _): type
        }
    }

    public var receivedAtMs: Int64 {
        switch self {
        case .event(_, let e): e.receivedAtMs
        case .duplicate(_, let ms): ms
        case .other(_, let ms, _): ms
        }
    }

    /// Bit 0: the body is valid JSON (checked at ingest).
    public var flags: UInt8 {
        if case .event(let request, _) = self, request.bodyIsJSON { return 1 }
        return 0
    }

    public func appendBody(seq: UInt64, to bytes: inout [UInt8]) { RecordCodec.appendBody(self, seq: seq, to: &bytes) }
}

/// One record of the log: its seq and payload. For `.event`, `event.seq` equals `seq`.
public struct LogRecord: Sendable, Equatable {
    public var seq: UInt64
    public var payload: LogPayload
    public init(seq: UInt64, payload: LogPayload) {
        self.seq = seq
        self.payload = payload
    }

    public var event: NormalizedEvent? {
        if case .event(_, let e) = payload { return e }
        return nil
    }
}

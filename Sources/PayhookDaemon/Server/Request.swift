/// Which listener a connection came through; routes are separate per listener.
public enum ListenerRole: String, Sendable, CaseIterable {
    case ingest, admin
}

/// A complete request as routes see it: head, whole body, where it came from.
public struct Request: Sendable {
    public var method: String
    /// The path part of the target (before `?`), as sent (no percent-decoding).
    public var path: String
    /// The query part of the target (after `?`), empty when absent.
    public var query: String
    /// Header fields in arrival order; names as sent.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var listener: ListenerRole
    /// The peer's address (`127.0.0.1`, `::1`, `unix`): what IP allowlists compare.
    public var peer: String
    /// Values of the route's `{name}` segments.
    public var parameters = PathParameters()

    public init(
        method: String, target: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        listener: ListenerRole = .ingest, peer: String = "127.0.0.1"
    ) {
        self.method = method
        // The first `?` byte, as the HTTP/1.1 parser splits (RFC 3986 section 3.4): a search by
        // Character walked grapheme clusters (a tenth of an h2c status query), and skipped a `?`
        // that a combining mark follows.
        let utf8 = target.utf8
        if let q = utf8.firstIndex(of: UInt8(ascii: "?")) {
            path = String(Substring(utf8[..<q]))
            query = String(Substring(utf8[utf8.index(after: q)...]))
        } else {
            path = target
            query = ""
        }
        self.headers = headers
        self.body = body
        self.listener = listener
        self.peer = peer
    }

    /// The first field named `name` (case-insensitive), if any.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The value of query parameter `name` (first occurrence, no percent-decoding).
    public func queryItem(_ name: String) -> String? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts[0] == name { return parts.count > 1 ? String(parts[1]) : "" }
        }
        return nil
    }
}

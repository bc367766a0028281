import PayhookCore
import PayhookProviders

/// One configured source as ingest needs it: the adapter's view and the parsed allowlist.
struct IngestSource: Sendable {
    let name: String
    let provider: ProviderSource
    /// Empty means any client.
    let allowFrom: [IPBlock]
    /// `[[sources]] max_body_bytes` (the route declares it to the connection: 413 from the head).
    let maxBodyBytes: Int
}

/// The sources and proxy trust of one configuration. Built at start and on SIGHUP; swapped as a
/// whole between two requests, so sources and secrets change atomically.
struct SourceTable: Sendable {
    let sources: [String: IngestSource]
    let trustedProxies: [IPBlock]

    init(config: Config) {
        var table: [String: IngestSource] = [:]
        for s in config.sources {
            let provider = ProviderSource(
                name: s.name, provider: s.provider, kind: s.kind, scheme: s.signature,
                secrets: s.secrets, eventSecrets: s.eventSecrets)
            // The loader validated every block; one that does not parse would be a loader bug.
            let allow = s.allowFrom.map { text -> IPBlock in
                guard let block = IPBlock(parsing: text) else { preconditionFailure("unvalidated allow_from \(text)") }
                return block
            }
            table[s.name] = IngestSource(name: s.name, provider: provider, allowFrom: allow, maxBodyBytes: s.maxBodyBytes)
        }
        sources = table
        trustedProxies = config.server.trustedProxies.compactMap { IPBlock(parsing: $0) }
    }

    /// A table made directly (tests, and callers that build sources without a `Config`).
    init(sources: [IngestSource], trustedProxies: [IPBlock] = []) {
        self.sources = Dictionary(sources.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.trustedProxies = trustedProxies
    }

    subscript(name: String) -> IngestSource? { sources[name] }
}

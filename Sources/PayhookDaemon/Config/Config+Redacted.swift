// Secrets never appear in logs, errors or the admin API (design.md). These conformances make
// `"\(config)"`, `String(reflecting:)`, `dump(...)` and debugger summaries show a count of
// secrets instead of their bytes, so an accidental log line cannot leak one.

extension Config.Server: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "Server(ingest: \(ingest), admin: \(admin), trustedProxies: \(trustedProxies), adminToken: \(adminToken == nil ? "none" : "<redacted>"), maxConnections: \(maxConnections), adminReserveConnections: \(adminReserveConnections), maxAdminConnections: \(maxAdminConnections), maxBodyBytes: \(maxBodyBytes), maxRequestLineBytes: \(maxRequestLineBytes), maxHeaderBytes: \(maxHeaderBytes), maxHeaderCount: \(maxHeaderCount), headerTimeoutMs: \(headerTimeoutMs), bodyTimeoutMs: \(bodyTimeoutMs), idleTimeoutMs: \(idleTimeoutMs), shutdownTimeoutMs: \(shutdownTimeoutMs))"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}

extension Config.Source: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        let events = eventSecrets.keys.sorted().map { "\($0): \(eventSecrets[$0]!.count)" }.joined(separator: ", ")
        return
            "Source(name: \(name), provider: \(provider.rawValue), kind: \(kind), signature: \(signature.rawValue), secrets: <\(secrets.count) redacted>, eventSecrets: [\(events)], allowFrom: \(allowFrom), line: \(line))"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}

extension Config.Hook: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "Hook(name: \(name), target: \(target), sources: \(sources), statuses: \(statuses.map(\.rawValue)), timeoutMs: \(timeoutMs), retryMaxAgeMs: \(retryMaxAgeMs), maxInFlight: \(maxInFlight), signingSecret: \(signingSecret == nil ? "none" : "<redacted>"), line: \(line))"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}

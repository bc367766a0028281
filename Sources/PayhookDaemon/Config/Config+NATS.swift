import PayhookNATS
import PayhookPosix

extension Config {
    /// The NATS JetStream side of a `nats_url` hook. Files (creds, NKey seed, TLS) are paths
    /// resolved like secret files and checked readable at load; NATS.c reads them at connect.
    public struct NATS: Sendable, Equatable {
        /// `payhook.{source}.{kind}.{status}`: placeholders {source} {kind} {status} {provider}.
        public var subject = "payhook.{source}.{kind}.{status}"
        public var stream = "PAYHOOK"
        /// Create the stream when missing (else a missing stream is the hook's error).
        public var create = true
        /// The stream's duplicate window when payhookd creates it: a redelivery (retry, a second
        /// instance) with the same `Nats-Msg-Id` inside it is stored once.
        public var duplicateWindowMs: Int64 = 24 * 3_600_000
        public var user: String?
        public var password: String?
        public var token: String?
        public var credsFile: String?
        public var nkey: String?
        public var nkeySeedFile: String?
        public var tlsCAFile: String?
        public var tlsCertFile: String?
        public var tlsKeyFile: String?
        /// A JetStream KV bucket holding each payment's last-seen status (the admin API's
        /// payment JSON) under `{source}.{payment id}`, ranked across instances; nil: none.
        public var statusBucket: String?
        /// Values kept per key in a bucket payhookd creates.
        public var statusHistory = 1
        /// Replicas of a bucket payhookd creates (at most the cluster's size).
        public var statusReplicas = 1
        /// Each source's provider name, for `{provider}` (filled at load from [[sources]]).
        public var providers: [String: String] = [:]
        /// Each source's signature scheme, for the payment JSON's `unsigned` (filled at load).
        public var schemes: [String: String] = [:]
    }
}

extension ConfigDecoder {
    /// `nats_url` (a string or a list), or nil when the hook has none.
    func natsURLs(_ t: ConfigTable, name: String, others: Bool) throws(ConfigError) -> [String]? {
        guard let urls = try t.strings("nats_url", orSingle: true) else { return nil }
        if others { throw t.error(t.line(of: "nats_url"), "hook `\(name)` has `nats_url` and `url` or `command`; keep one") }
        guard !urls.isEmpty else { throw t.error(t.line(of: "nats_url"), "hook `\(name)`: nats_url is empty") }
        for (url, line) in urls {
            let schemes = ["nats://", "tls://", "ws://", "wss://"]
            guard schemes.contains(where: { url.hasPrefix($0) }), url.count > 7 else {
                throw t.error(line, "hook `\(name)`: nats_url `\(url)` must start with nats:// or tls://")
            }
        }
        return urls.map(\.value)
    }

    /// NATS keys only on a `nats_url` hook; a valid subject and stream name; the provider map.
    func checkNATS(_ hook: inout Config.Hook, _ t: ConfigTable, sources: [Config.Source]) throws(ConfigError) {
        guard case .nats = hook.target else {
            if let key = Settings.natsRows.map(\.key).first(where: { t.table[$0] != nil }) {
                throw t.error(t.line(of: key), "hook `\(hook.name)`: `\(key)` needs `nats_url`")
            }
            return
        }
        if let reason = NATSSubject.validate(hook.nats.subject) {
            throw t.error(t.line(of: "subject"), "hook `\(hook.name)`: subject `\(hook.nats.subject)`: \(reason)")
        }
        let stream = hook.nats.stream
        if stream.isEmpty || stream.contains(where: { $0 == "." || $0 == "*" || $0 == ">" || $0 == "/" || $0.isWhitespace }) {
            throw t.error(t.line(of: "stream"), "hook `\(hook.name)`: stream `\(stream)` must be non-empty, without . * > / or spaces")
        }
        if (hook.nats.tlsCertFile == nil) != (hook.nats.tlsKeyFile == nil) {
            throw t.error(t.line(of: "nats_tls_key_file"), "hook `\(hook.name)`: nats_tls_cert_file and nats_tls_key_file go together")
        }
        if (hook.nats.nkey == nil) != (hook.nats.nkeySeedFile == nil) {
            throw t.error(t.line(of: "nats_nkey_seed_file"), "hook `\(hook.name)`: nats_nkey and nats_nkey_seed_file go together")
        }
        if let bucket = hook.nats.statusBucket,
            bucket.isEmpty || !bucket.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        {
            throw t.error(t.line(of: "status_bucket"), "hook `\(hook.name)`: status_bucket `\(bucket)` must be letters, digits, - and _")
        }
        hook.nats.providers = Dictionary(sources.map { ($0.name, $0.provider.rawValue) }, uniquingKeysWith: { a, _ in a })
        hook.nats.schemes = Dictionary(sources.map { ($0.name, $0.signature.rawValue) }, uniquingKeysWith: { a, _ in a })
    }

    /// A credential file's path, found like a secret file (`$CREDENTIALS_DIRECTORY` first for a
    /// relative name, then the config's folder) and checked readable now.
    func credentialPath(_ key: String, _ t: ConfigTable) throws(ConfigError) -> String? {
        guard let (name, line) = try t.string(key) else { return nil }
        var candidates: [String] = []
        if !name.hasPrefix("/"), let dir = secrets.environment["CREDENTIALS_DIRECTORY"], !dir.isEmpty {
            candidates.append(ConfigFiles.resolve(name, against: dir))
        }
        candidates.append(ConfigFiles.resolve(name, against: ConfigFiles.folder(of: secrets.configPath)))
        for path in candidates {
            if (try? ConfigFiles.read(path, maxBytes: secrets.maxBytes)) != nil { return path }
        }
        throw t.error(line, "\(key): cannot read `\(name)` (tried \(candidates.map { "`\($0)`" }.joined(separator: ", ")))")
    }

    /// A literal (`key`) or a secret file (`key_file`), not both.
    func natsSecret(_ key: String, _ t: ConfigTable) throws(ConfigError) -> String? {
        let literal = try t.string(key)
        let file = try t.string(key + "_file")
        switch (literal, file) {
        case (nil, nil): return nil
        case (_?, _?): throw t.error(t.line(of: key + "_file"), "set either \(key) or \(key)_file, not both")
        case (let (value, _)?, nil): return value
        case (nil, let (name, line)?): return String(decoding: try readSecret(name, line: line, in: t), as: UTF8.self)
        }
    }
}

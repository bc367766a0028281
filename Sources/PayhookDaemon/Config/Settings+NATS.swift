// The [[hooks]] keys of a NATS JetStream hook (`nats_url`); refused on other hooks.

extension Settings {
    /// `duplicate_window` bounds: 1 s to 30 days.
    static let duplicateWindowMs: ClosedRange<Int64> = 1000...2_592_000_000

    static let natsRows: [Setting<Config.Hook>] = [
        .first(
            "nats_url", #""nats://127.0.0.1:4222""#, reload: .restart, commented: true,
            help: "instead of url: publish to NATS JetStream; a list for a cluster"
        ) { hook -> AnyHashable in if case .nats(let urls) = hook.target { urls } else { [String]() } },
        string(
            "subject", \.nats.subject, example: Config.NATS().subject, help: "placeholders {source} {kind} {status} {provider}; never the payment id"),
        string("stream", \.nats.stream, example: Config.NATS().stream, help: "JetStream stream; an existing one must cover the subject"),
        .custom(
            "create", reload: .restart, example: "true", commented: true, help: "create the stream when missing",
            value: { $0.nats.create }
        ) { h, t, _ throws(ConfigError) in h.nats.create = try t.bool("create") ?? true },
        .duration(
            "duplicate_window", \.nats.duplicateWindowMs, Settings.duplicateWindowMs, example: "24h", rangeText: "1s...30d",
            commented: true, help: "dedup window of a stream payhookd creates"),
        optional("nats_user", \.nats.user, help: "with nats_password or nats_password_file"),
        secret("nats_password", \.nats.password),
        inline("nats_password"),
        secret("nats_token", \.nats.token),
        inline("nats_token"),
        file("nats_creds_file", \.nats.credsFile, "payhookd.creds", help: "a .creds file (JWT and NKey seed)"),
        optional("nats_nkey", \.nats.nkey, help: "NKey public key (U...), with nats_nkey_seed_file"),
        file("nats_nkey_seed_file", \.nats.nkeySeedFile, "payhookd.nk", help: "the NKey seed that signs the server's nonce"),
        file("nats_tls_ca_file", \.nats.tlsCAFile, "nats-ca.pem", help: "CA certificates for the server; enables TLS"),
        file("nats_tls_cert_file", \.nats.tlsCertFile, "nats-client.pem", help: "client certificate, with nats_tls_key_file"),
        file("nats_tls_key_file", \.nats.tlsKeyFile, "nats-client.key", help: "client key"),
        optional("status_bucket", \.nats.statusBucket, help: "KV bucket of each payment's last-seen status, ranked across instances"),
        .int("status_history", \.nats.statusHistory, 1...64, unit: .count, commented: true, help: "values kept per key in a bucket payhookd creates"),
        .int("status_replicas", \.nats.statusReplicas, 1...5, unit: .count, commented: true, help: "replicas of a bucket payhookd creates"),
    ]

    private static func string(
        _ key: String, _ path: WritableKeyPath<Config.Hook, String>, example: String, help: String
    ) -> Setting<Config.Hook> {
        .custom(
            key, reload: .restart, example: "\"\(example)\"", commented: true, help: help,
            value: { $0[keyPath: path] }
        ) { h, t, _ throws(ConfigError) in if let (v, _) = try t.string(key) { h[keyPath: path] = v } }
    }

    private static func optional(_ key: String, _ path: WritableKeyPath<Config.Hook, String?>, help: String) -> Setting<Config.Hook> {
        .custom(key, reload: .restart, example: #""...""#, commented: true, help: help, value: { $0[keyPath: path] }) {
            h, t, _ throws(ConfigError) in
            if let (v, _) = try t.string(key) { h[keyPath: path] = v }
        }
    }

    /// `key_file` (a secret file) and `key` (inline, for development): two rows, one value.
    private static func secret(_ key: String, _ path: WritableKeyPath<Config.Hook, String?>) -> Setting<Config.Hook> {
        .custom(
            key + "_file", reload: .restart, example: "\"nats-\(key.dropFirst(5)).key\"", commented: true,
            lines: nil, help: "or \(key) inline, for development", value: { $0[keyPath: path] }
        ) { h, t, c throws(ConfigError) in h[keyPath: path] = try c.decoder.natsSecret(key, t) }
    }

    private static func inline(_ key: String) -> Setting<Config.Hook> {
        .custom(key, reload: .restart, example: #""...""#, commented: true, help: "the same inline, for development", value: { _ in 0 }) {
            _, _, _ throws(ConfigError) in /* read with \(key)_file */
        }
    }

    private static func file(
        _ key: String, _ path: WritableKeyPath<Config.Hook, String?>, _ example: String, help: String
    ) -> Setting<Config.Hook> {
        .custom(key, reload: .restart, example: "\"\(example)\"", commented: true, help: help, value: { $0[keyPath: path] }) {
            h, t, c throws(ConfigError) in
            h[keyPath: path] = try c.decoder.credentialPath(key, t)
        }
    }
}

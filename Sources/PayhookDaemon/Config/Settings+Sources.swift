// [[sources]] and [[hooks]]: everything applies on SIGHUP (the loop swaps them as a whole).
// Keys that other keys depend on (name, provider, kind, signature, a hook's target and filters)
// are read first by `ConfigDecoder.source`/`hook`; their rows have nothing left to decode.

extension Settings {
    static let sources = SettingsSection<Config.Source>(
        name: "sources",
        defaults: Config.Source(name: "", provider: .nonstopay, kind: "payin", signature: .hmacSHA256Hex),
        rows: [
            .first("name", #""nonstopay-payin""#, help: "POST /hooks/nonstopay-payin; letters, digits, - _ . ~"),
            .first("provider", #""nonstopay""#, help: "nonstopay | noventiq"),
            .first("kind", #""payin""#, help: "nonstopay: payin | nft | payout; noventiq: payment (the default)"),
            .first(
                "signature", #""hmac-sha256-hex""#,
                help: "required for nonstopay: hmac-sha256-hex | hmac-sha256-base64 | hmac-sha512-hex | hmac-sha512-base64 | rsa-sha256 | none"),
            .custom(
                "secret_file", reload: .live, example: #""nonstopay.key""#,
                help: "a file or a list, tried in order (rotation); LoadCredential= names first; one trailing newline is ignored",
                value: { $0.secrets }
            ) { s, t, c throws(ConfigError) in s.secrets = try c.decoder.secretList(t, literalKey: "secret", fileKey: "secret_file") },
            .custom(
                "secret", reload: .live, example: #""literal""#, commented: true,
                help: "inline secret (a string or a list), for development; tried before secret_file", value: { $0.secrets }
            ) { _, _, _ throws(ConfigError) in /* read with secret_file, literal ones first */ },
            .custom(
                "event_secrets", reload: .live, example: "", commented: true,
                lines: ["# [sources.event_secrets]", #"# "order.payment.succeeded" = "...""#],
                help: "noventiq: per-event secrets (one endpoint per event); default: none", value: { $0.eventSecrets }
            ) { s, t, c throws(ConfigError) in s.eventSecrets = try c.decoder.eventSecrets(t, provider: s.provider) },
            .custom(
                "event_secret_files", reload: .live, example: "", commented: true,
                lines: ["# [sources.event_secret_files]", #"# "product.returned" = "noventiq-returned.key""#],
                help: "the same from files (LoadCredential= names); default: none", value: { $0.eventSecrets }
            ) { _, _, _ throws(ConfigError) in /* read with event_secrets */ },
            .custom(
                "allow_from", reload: .live, example: #"["203.0.113.0/24"]"#, commented: true,
                help: "client addresses allowed; default: any (required with signature = \"none\")", value: { $0.allowFrom }
            ) { s, t, c throws(ConfigError) in
                if let list = try t.strings("allow_from") { s.allowFrom = try c.decoder.blocks(list, key: "allow_from", in: t) }
            },
            .int(
                "max_body_bytes", \.maxBodyBytes, 1024...8_388_608, unit: .bytes, reload: .live, commented: true,
                help: "413 from the head or chunk sizes; at most [server] max_body_bytes; default 65536, or the server's value if smaller"),
        ])

    static let hooks = SettingsSection<Config.Hook>(
        name: "hooks", defaults: Config.Hook(name: "", target: .command([])),
        rows: [
            .first("name", #""orders""#, help: "GET /v1/hooks, POST /v1/hooks/orders/replay"),
            .first("url", #""http://127.0.0.1:9000/payment-events""#, help: "loopback http:// or unix:/run/app.sock:/path (or command)"),
            .first(
                "command", #"["/usr/local/bin/on-payment", "--json"]"#, commented: true,
                help: "instead of url: event JSON on stdin, no shell; exit 0 is success"),
            .first("sources", #"["nonstopay-payin", "noventiq"]"#, help: "only these sources; default: all"),
            .first("statuses", #"["succeeded", "failed", "refunded"]"#, help: "only these statuses; default: all"),
            .int("timeout_ms", \.timeoutMs, 100...600_000, unit: .ms, reload: .live, help: "per attempt"),
            .custom(
                "retry_max_age", reload: .live, unit: .ms, example: #""72h""#,
                help: "retry with backoff this long, then park (\"1s\"...\"30d\"; units ms s m h d)", value: { $0.retryMaxAgeMs }
            ) { h, t, _ throws(ConfigError) in
                guard let (text, line) = try t.string("retry_max_age") else { return }
                guard let ms = ConfigDuration.milliseconds(text) else {
                    throw t.error(line, "retry_max_age `\(text)` is not a duration (e.g. \"72h\", \"30m\", \"10s\", \"1h30m\")")
                }
                guard (Settings.retryMaxAgeMs).contains(ms) else {
                    throw t.error(line, "retry_max_age `\(text)` is out of range (1s...30d)")
                }
                h.retryMaxAgeMs = ms
            },
            .int("max_in_flight", \.maxInFlight, 1...256, unit: .count, reload: .live, help: "concurrent deliveries for this hook"),
            .custom(
                "signing_secret_file", reload: .live, example: #""orders-hook.key""#, commented: true,
                help: "adds Payhook-Signature: t=..,v1=hmac-sha256; default: unsigned", value: { $0.signingSecret }
            ) { h, t, c throws(ConfigError) in h.signingSecret = try c.decoder.signingSecret(t) },
            .custom(
                "signing_secret", reload: .live, example: #""...""#, commented: true,
                help: "the same inline, for development", value: { $0.signingSecret }
            ) { _, _, _ throws(ConfigError) in /* read with signing_secret_file */ },
        ])

    /// `retry_max_age` bounds, in milliseconds: 1 s to 30 days.
    static let retryMaxAgeMs: ClosedRange<Int64> = 1000...2_592_000_000
}

extension Setting {
    /// A key the section's decoder reads before the rows run (others depend on it).
    static func first(_ key: String, _ example: String, commented: Bool = false, help: String) -> Setting {
        .custom(key, reload: .live, example: example, commented: commented, help: help, value: { _ in 0 }) { _, _, _ throws(ConfigError) in }
    }
}

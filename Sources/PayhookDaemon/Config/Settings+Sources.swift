// [[sources]] apply on SIGHUP (the loop swaps them as a whole); so do [[hooks]], every key of
// them (`HookSet.apply` restarts a changed hook's driver with its cursor), whatever the rows
// below say one by one.
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
        rows: ([
            .first("name", #""orders""#, reload: .restart, help: "GET /v1/hooks, POST /v1/hooks/orders/replay") { $0.name },
            .first(
                "url", #""http://127.0.0.1:9000/payment-events""#, reload: .restart,
                help: "loopback http:// or unix:/run/app.sock:/path (or command)"
            ) { hook -> AnyHashable in if case .url(let url) = hook.target { url } else { "" } },
            .first(
                "command", #"["/usr/local/bin/on-payment", "--json"]"#, reload: .restart, commented: true,
                help: "instead of url: event JSON on stdin, no shell; exit 0 is success"
            ) { hook -> AnyHashable in if case .command(let argv) = hook.target { argv } else { [String]() } },
            .first("sources", #"["nonstopay-payin", "noventiq"]"#, reload: .restart, help: "only these sources; default: all") {
                $0.sources
            },
            .first(
                "statuses", #"["succeeded", "failed", "refunded"]"#, reload: .restart, help: "only these statuses; default: all"
            ) { $0.statuses.map(\.rawValue) },
            .custom(
                "kinds", reload: .restart, example: #"["payin"]"#, commented: true, help: "only these event kinds; default: all",
                value: { $0.kinds }
            ) { h, t, _ throws(ConfigError) in
                // Checked like `statuses`: a misspelt kind would silently filter out everything.
                let known = ConfigDecoder.kinds.values.flatMap { $0 }.sorted()
                for (kind, line) in try t.strings("kinds") ?? [] {
                    guard known.contains(kind) else {
                        throw t.error(line, "hook `\(h.name)` names unknown kind `\(kind)` (\(known.joined(separator: " | ")))")
                    }
                    h.kinds.append(kind)
                }
            },
            .custom(
                "quarantined", reload: .restart, example: "false", commented: true,
                help: "also receive quarantined (not understood) events; default: no", value: { $0.quarantined }
            ) { h, t, _ throws(ConfigError) in h.quarantined = try t.bool("quarantined") ?? false },
            .custom(
                "start", reload: .restart, example: #""end""#, commented: true,
                help: "a new hook starts at the end of the log, or \"beginning\"", value: { $0.startAtBeginning }
            ) { h, t, _ throws(ConfigError) in
                guard let (text, line) = try t.string("start") else { return }
                guard text == "end" || text == "beginning" else { throw t.error(line, "start `\(text)` must be \"end\" or \"beginning\"") }
                h.startAtBeginning = text == "beginning"
            },
            .int("timeout_ms", \.timeoutMs, 100...600_000, unit: .ms, help: "per attempt"),
            .duration(
                "retry_max_age", \.retryMaxAgeMs, Settings.retryMaxAgeMs, example: "72h", rangeText: "1s...30d",
                help: "retry with backoff this long, then park"),
            .duration(
                "retry_max_interval", \.retryMaxIntervalMs, Settings.retryMaxIntervalMs, example: "10m", rangeText: "1s...24h",
                commented: true, help: "longest wait between attempts, Retry-After included"),
            .int("max_in_flight", \.maxInFlight, 1...256, unit: .count, help: "concurrent deliveries for this hook"),
            .int(
                "max_pipelined", \.maxPipelined, 1...256, unit: .count,
                help: "requests written on one connection before their answers (HTTP/1.1 pipelining); 1: none"),
            .custom(
                "signing_secret_file", reload: .restart, example: #""orders-hook.key""#, commented: true,
                help: "adds Payhook-Signature: t=..,v1=hmac-sha256; default: unsigned", value: { $0.signingSecret }
            ) { h, t, c throws(ConfigError) in h.signingSecret = try c.decoder.signingSecret(t) },
            .custom(
                "signing_secret", reload: .restart, example: #""...""#, commented: true,
                help: "the same inline, for development", value: { $0.signingSecret }
            ) { _, _, _ throws(ConfigError) in /* read with signing_secret_file */ },
        ] + natsRows).map { $0.reloading(.live) })

    /// `retry_max_interval` bounds, in milliseconds: 1 s to 24 h.
    static let retryMaxIntervalMs: ClosedRange<Int64> = 1000...86_400_000

    /// The keys whose values differ between two versions of a hook (its place in the file is not a key).
    static func hookKeysChanged(_ a: Config.Hook, _ b: Config.Hook) -> [String] {
        hooks.rows.filter { $0.value(a) != $0.value(b) }.map(\.key)
    }

    /// `[[hooks]] orders timeout_ms`-style names of what changed in the hooks, by hook name.
    static func hooksChanged(_ old: [Config.Hook], _ new: [Config.Hook]) -> [String] {
        var out: [String] = []
        for hook in new {
            guard let before = old.first(where: { $0.name == hook.name }) else {
                out.append("[[hooks]] \(hook.name) (added)")
                continue
            }
            out += hookKeysChanged(before, hook).map { "[[hooks]] \(hook.name) \($0)" }
        }
        for hook in old where !new.contains(where: { $0.name == hook.name }) { out.append("[[hooks]] \(hook.name) (removed)") }
        return out
    }

    /// `retry_max_age` bounds, in milliseconds: 1 s to 30 days.
    static let retryMaxAgeMs: ClosedRange<Int64> = 1000...2_592_000_000
}

extension Setting {
    /// A key the section's decoder reads before the rows run (others depend on it).
    static func first(
        _ key: String, _ example: String, reload: SettingReload = .live, commented: Bool = false, help: String,
        value: @escaping (Root) -> AnyHashable = { _ in 0 }
    ) -> Setting {
        .custom(key, reload: reload, example: example, commented: commented, help: help, value: value) { _, _, _ throws(ConfigError) in }
    }

    /// A duration written as text (`"72h"`, `"1h30m"`), stored in milliseconds.
    static func duration(
        _ key: String, _ path: WritableKeyPath<Root, Int64>, _ range: ClosedRange<Int64>, example: String, rangeText: String,
        reload: SettingReload = .restart, commented: Bool = false, help: String
    ) -> Setting {
        .custom(
            key, reload: reload, unit: .ms, example: "\"\(example)\"", commented: commented,
            help: help + " (\(rangeText.split(separator: ".").map { "\"\($0)\"" }.joined(separator: "...")); units ms s m h d)",
            value: { $0[keyPath: path] }
        ) { root, t, _ throws(ConfigError) in
            guard let (text, line) = try t.string(key) else { return }
            guard let ms = ConfigDuration.milliseconds(text) else {
                throw t.error(line, "\(key) `\(text)` is not a duration (e.g. \"72h\", \"30m\", \"10s\", \"1h30m\")")
            }
            guard range.contains(ms) else { throw t.error(line, "\(key) `\(text)` is out of range (\(rangeText))") }
            root[keyPath: path] = ms
        }
    }
}

import PayhookProviders

// [[sources]]: provider, kind and signature scheme must fit together (providers.md); every
// source except `signature = "none"` needs at least one secret.

extension ConfigDecoder {
    /// Kinds per provider.
    static let kinds: [Config.Provider: [String]] = [.nonstopay: ["payin", "nft", "payout"], .noventiq: ["payment"]]

    func source(_ t: ConfigTable, server: Config.Server, _ context: ConfigDecodeContext) throws(ConfigError) -> Config.Source {
        try t.rejectUnknownKeys(Settings.sources.keys)
        let (name, nameLine) = try t.requiredString("name")
        try checkName(name, line: nameLine, what: "source", in: t)
        let (providerText, providerLine) = try t.requiredString("provider")
        guard let provider = Config.Provider(rawValue: providerText) else {
            throw t.error(providerLine, "unknown provider `\(providerText)` (nonstopay | noventiq)")
        }
        let kinds = Self.kinds[provider]!
        let kind: String
        if let (k, line) = try t.string("kind") {
            guard kinds.contains(k) else {
                throw t.error(line, "kind `\(k)` does not fit provider \(provider.rawValue) (\(kinds.joined(separator: " | ")))")
            }
            kind = k
        } else if kinds.count == 1 {
            kind = kinds[0]
        } else {
            throw t.error(t.table.line, "source `\(name)` needs `kind` (\(kinds.joined(separator: " | ")))")
        }
        let signature = try signatureScheme(t, provider: provider, name: name)
        var source = Config.Source(name: name, provider: provider, kind: kind, signature: signature, line: t.table.line)
        source.maxBodyBytes = min(Config.Source.defaultMaxBodyBytes, server.maxBodyBytes)
        try Settings.sources.decode(into: &source, t, context)
        if t.table["max_body_bytes"] != nil, source.maxBodyBytes > server.maxBodyBytes {
            throw t.error(
                t.line(of: "max_body_bytes"),
                "`max_body_bytes` = \(source.maxBodyBytes) is above [server] max_body_bytes = \(server.maxBodyBytes), which applies first; raise that too"
            )
        }
        if signature == .none {
            guard !source.allowFrom.isEmpty else {
                throw t.error(
                    t.line(of: "signature"),
                    "signature = \"none\" needs a non-empty allow_from (unsigned callbacks are only accepted from listed addresses)")
            }
            context.warnings.append(
                ConfigWarning(
                    file: file, line: t.line(of: "signature"),
                    message: "source `\(name)` accepts unsigned callbacks (signature = \"none\"), only from allow_from"))
        } else if source.secrets.isEmpty && source.eventSecrets.isEmpty {
            throw t.error(t.table.line, "source `\(name)` has no secret: set secret_file (or secret)")
        }
        if signature == .rsaSHA256 {
            // Parsed by libcrypto now, so that a wrong key file fails here rather than on the
            // first callback.
            for (i, secret) in source.secrets.enumerated() where !Crypto.isUsableRSAPublicKey(secret) {
                throw t.error(
                    t.line(of: t.table["secret_file"] != nil ? "secret_file" : "secret"),
                    "rsa-sha256 needs PEM RSA public keys (-----BEGIN PUBLIC KEY-----); secret #\(i + 1) is not one")
            }
        }
        return source
    }

    private func signatureScheme(_ t: ConfigTable, provider: Config.Provider, name: String) throws(ConfigError) -> Config.SignatureScheme {
        guard let (text, line) = try t.string("signature") else {
            if provider == .noventiq { return .sha512Fields }
            let all = Config.SignatureScheme.allCases.filter { $0 != .sha512Fields }.map(\.rawValue)
            throw t.error(
                t.table.line,
                "nonstopay source `\(name)` needs `signature` (\(all.joined(separator: " | "))): Nonstopay does not document its scheme")
        }
        guard let scheme = Config.SignatureScheme(rawValue: text) else {
            let all = Config.SignatureScheme.allCases.map(\.rawValue).joined(separator: " | ")
            throw t.error(line, "unknown signature `\(text)` (\(all))")
        }
        switch (provider, scheme == .sha512Fields) {
        case (.noventiq, true), (.nonstopay, false):
            return scheme
        case (.noventiq, false):
            throw t.error(line, "noventiq signs with sha512-fields (its only scheme); remove `signature` or set it to \"sha512-fields\"")
        case (.nonstopay, true):
            throw t.error(line, "sha512-fields is Noventiq's scheme; nonstopay sources use an hmac-* scheme, rsa-sha256 or none")
        }
    }

    /// `secret` (string or list) then `secret_file` (string or list), in order.
    func secretList(_ t: ConfigTable, literalKey: String, fileKey: String) throws(ConfigError) -> [[UInt8]] {
        var secrets: [[UInt8]] = []
        for (value, line) in try t.strings(literalKey, orSingle: true) ?? [] {
            guard !value.isEmpty else { throw t.error(line, "`\(literalKey)` must not be empty") }
            secrets.append(Array(value.utf8))
        }
        for (name, line) in try t.strings(fileKey, orSingle: true) ?? [] {
            guard !name.isEmpty else { throw t.error(line, "`\(fileKey)` must not be empty") }
            secrets.append(try readSecret(name, line: line, in: t))
        }
        return secrets
    }

    /// `[sources.event_secrets]` (event → secret or list) and `[sources.event_secret_files]`
    /// (event → file or list), merged per event: literal secrets first.
    func eventSecrets(_ t: ConfigTable, provider: Config.Provider) throws(ConfigError) -> [String: [[UInt8]]] {
        var out: [String: [[UInt8]]] = [:]
        for (key, isFile) in [("event_secrets", false), ("event_secret_files", true)] {
            guard let sub = try t.subtable(key, name: "[sources.\(key)]") else { continue }
            guard provider == .noventiq else {
                throw t.error(t.line(of: key), "`\(key)` applies to noventiq sources only (Nonstopay signs every event alike)")
            }
            for (event, value) in sub.table.pairs {
                guard !event.isEmpty else { throw t.error(value.line, "event name must not be empty") }
                let list = try sub.strings(event, orSingle: true) ?? []
                if list.isEmpty { throw t.error(value.line, "event `\(event)` has no secret") }
                for (text, line) in list {
                    guard !text.isEmpty else { throw t.error(line, "secret for event `\(event)` must not be empty") }
                    out[event, default: []].append(isFile ? try readSecret(text, line: line, in: t) : Array(text.utf8))
                }
            }
        }
        return out
    }
}

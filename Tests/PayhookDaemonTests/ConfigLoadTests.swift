import PayhookCore
import Testing

@testable import PayhookDaemon

/// Valid configs load into the model with every key, default and resolved path.
@Suite struct ConfigLoadTests {
    typealias S = ConfigTestSupport

    func load(_ text: String, files: [String: String] = [:], environment: [String: String] = [:]) throws -> Config {
        try S.load(text, extraFiles: files, environment: environment).get()
    }

    @Test("every key of every section lands in its field")
    func everyKey() throws {
        let config = try load(
            """
            [server]
            ingest = ["127.0.0.1:9480", "[::1]:9480", "unix:/run/payhookd/ingest.sock"]
            admin = ["0.0.0.0:9481"]
            trusted_proxies = ["10.0.0.0/8", "::1", "2001:db8::/32"]
            admin_token_file = "admin.token"
            max_connections = 100
            admin_reserve_connections = 5
            max_body_bytes = 2048
            max_request_line_bytes = 1000
            max_header_bytes = 4096
            max_header_count = 20
            header_timeout_ms = 1000
            body_timeout_ms = 2000
            idle_timeout_ms = 3000
            shutdown_timeout_ms = 4000

            [storage]
            dir = "/srv/payhookd"
            segment_bytes = 2097152
            retention_days = 30
            rejects_max_bytes = 3145728
            max_batch_records = 64
            snapshot_every_events = 5000

            [[sources]]
            name = "nonstopay-payin"
            provider = "nonstopay"
            kind = "payin"
            signature = "hmac-sha512-base64"
            secret = ["new-secret", "old-secret"]
            secret_file = "n.key"
            allow_from = ["203.0.113.0/24"]

            [[sources]]
            name = "noventiq"
            provider = "noventiq"
            secret_file = ["q.key"]
            [sources.event_secrets]
            "order.created" = "created-secret"
            "order.payment.succeeded" = ["s1", "s2"]
            [sources.event_secret_files]
            "order.created" = "created.key"

            [[hooks]]
            name = "orders"
            url = "http://127.0.0.1:9000/payment-events"
            sources = ["noventiq"]
            statuses = ["succeeded", "refunded"]
            timeout_ms = 700
            retry_max_age = "1h30m"
            max_in_flight = 9
            signing_secret_file = "hook.key"

            [[hooks]]
            name = "audit"
            command = ["/usr/local/bin/audit", "--json"]
            signing_secret = "inline-signing"
            """,
            files: [
                "admin.token": "0123456789abcdef-token\n", "n.key": "file-secret\n", "q.key": "q-secret",
                "created.key": "created-file\n", "hook.key": "hook-secret\n",
            ])
        let s = config.server
        #expect(s.ingest == ["127.0.0.1:9480", "[::1]:9480", "unix:/run/payhookd/ingest.sock"])
        #expect(s.admin == ["0.0.0.0:9481"])
        #expect(s.trustedProxies == ["10.0.0.0/8", "::1", "2001:db8::/32"])
        #expect(s.adminToken == "0123456789abcdef-token")
        #expect(
            [
                s.maxConnections, s.adminReserveConnections, s.maxBodyBytes, s.maxRequestLineBytes, s.maxHeaderBytes,
                s.maxHeaderCount, s.headerTimeoutMs, s.bodyTimeoutMs, s.idleTimeoutMs, s.shutdownTimeoutMs,
            ]
                == [100, 5, 2048, 1000, 4096, 20, 1000, 2000, 3000, 4000])
        let st = config.storage
        #expect(st.dir == "/srv/payhookd")
        #expect(
            [st.segmentBytes, st.retentionDays, st.rejectsMaxBytes, st.maxBatchRecords, st.snapshotEveryEvents]
                == [2_097_152, 30, 3_145_728, 64, 5000])
        #expect(config.sources.count == 2)
        let n = config.sources[0]
        #expect(n.name == "nonstopay-payin" && n.provider == .nonstopay && n.kind == "payin")
        #expect(n.signature == .hmacSHA512Base64)
        #expect(n.secrets == [Array("new-secret".utf8), Array("old-secret".utf8), Array("file-secret".utf8)])
        #expect(n.allowFrom == ["203.0.113.0/24"])
        #expect(n.line == 25)
        let q = config.sources[1]
        #expect(q.provider == .noventiq && q.kind == "payment" && q.signature == .sha512Fields)
        #expect(q.secrets == [Array("q-secret".utf8)])
        #expect(q.eventSecrets["order.created"] == [Array("created-secret".utf8), Array("created-file".utf8)])
        #expect(q.eventSecrets["order.payment.succeeded"] == [Array("s1".utf8), Array("s2".utf8)])
        #expect(config.hooks.count == 2)
        let h = config.hooks[0]
        #expect(h.name == "orders" && h.target == .url("http://127.0.0.1:9000/payment-events"))
        #expect(h.sources == ["noventiq"] && h.statuses == [.succeeded, .refunded])
        #expect(h.timeoutMs == 700 && h.retryMaxAgeMs == 5_400_000 && h.maxInFlight == 9)
        #expect(h.signingSecret == Array("hook-secret".utf8))
        #expect(h.line == 44)
        let a = config.hooks[1]
        #expect(a.target == .command(["/usr/local/bin/audit", "--json"]))
        #expect(a.signingSecret == Array("inline-signing".utf8))
        #expect(a.sources.isEmpty && a.statuses.isEmpty && a.timeoutMs == 5000 && a.maxInFlight == 4)
        #expect(a.retryMaxAgeMs == 72 * 3_600_000)
        #expect(config.warnings.isEmpty)
    }

    @Test("absent sections and keys keep the model's defaults")
    func defaults() throws {
        let config = try load("[server]\n[storage]\n" + S.nonstopaySource)
        var expected = Config.Server()
        expected.adminToken = nil
        #expect(config.server == expected)
        #expect(config.storage == Config.Storage())
        #expect(config.storage.dir == "/var/lib/payhookd")
        #expect(config.hooks.isEmpty)
    }

    @Test("a relative storage.dir resolves against the config file's folder, not the current directory")
    func relativeStorageDir() throws {
        let path = S.configFile("[storage]\ndir = \"state/../var\"\n" + S.nonstopaySource)
        defer { S.removeTree(ConfigFiles.folder(of: path)) }
        let config = try Config.load(path: path, environment: [:])
        #expect(config.storage.dir == ConfigFiles.folder(of: path) + "/var")
        #expect(config.path == path)
    }

    @Test("path resolution: absolute kept, relative joined and cleaned, bare config names use `.`")
    func pathResolution() {
        #expect(ConfigFiles.resolve("/abs/x", against: "/etc/payhookd") == "/abs/x")
        #expect(ConfigFiles.resolve("../var", against: "config") == "var")
        #expect(ConfigFiles.resolve("../../var", against: "config") == "../var")
        #expect(ConfigFiles.resolve("k.key", against: "/") == "/k.key")
        #expect(ConfigFiles.resolve("./a//b/./c", against: "/etc") == "/etc/a/b/c")
        #expect(ConfigFiles.folder(of: "payhookd.toml") == ".")
        #expect(ConfigFiles.folder(of: "/payhookd.toml") == "/")
        #expect(ConfigFiles.folder(of: "config/payhookd.dev.toml") == "config")
    }

    @Test("relative secret files come from $CREDENTIALS_DIRECTORY first, then the config's folder")
    func credentialsDirectoryFirst() throws {
        let creds = S.makeTempDir()
        defer { S.removeTree(creds) }
        S.write(creds + "/k.key", "from-credentials\n")
        let text = S.nonstopaySource.replacingSecret(with: "secret_file = \"k.key\"")
        let fromCreds = try load(text, files: ["k.key": "from-folder\n"], environment: ["CREDENTIALS_DIRECTORY": creds])
        #expect(fromCreds.sources[0].secrets == [Array("from-credentials".utf8)])
        let fromFolder = try load(text, files: ["k.key": "from-folder\n"], environment: ["CREDENTIALS_DIRECTORY": creds + "/none"])
        #expect(fromFolder.sources[0].secrets == [Array("from-folder".utf8)])
        let noEnv = try load(text, files: ["k.key": "from-folder\n"])
        #expect(noEnv.sources[0].secrets == [Array("from-folder".utf8)])
    }

    @Test("an absolute secret_file ignores $CREDENTIALS_DIRECTORY")
    func absoluteSecretFile() throws {
        let dir = S.makeTempDir()
        defer { S.removeTree(dir) }
        S.write(dir + "/abs.key", "absolute\n")
        let text = S.nonstopaySource.replacingSecret(with: "secret_file = \"\(dir)/abs.key\"")
        let config = try load(text, environment: ["CREDENTIALS_DIRECTORY": "/nonexistent"])
        #expect(config.sources[0].secrets == [Array("absolute".utf8)])
    }

    @Test("exactly one trailing newline (LF or CRLF) is stripped from secret files")
    func trailingNewline() throws {
        for (content, expected) in [("s\n", "s"), ("s\n\n", "s\n"), ("s\r\n", "s"), ("s", "s"), (" s \n", " s ")] {
            let config = try load(S.nonstopaySource.replacingSecret(with: "secret_file = \"k\""), files: ["k": content])
            #expect(config.sources[0].secrets == [Array(expected.utf8)], "\(content.debugDescription)")
        }
    }

    @Test("signature = \"none\" with allow_from loads, with a warning on the signature line")
    func unsignedWarning() throws {
        let config = try load(
            """
            [[sources]]
            name = "trusted"
            provider = "nonstopay"
            kind = "payout"
            signature = "none"
            allow_from = ["192.0.2.10"]
            """)
        #expect(config.sources[0].signature == .none && config.sources[0].secrets.isEmpty)
        #expect(config.warnings.count == 1)
        #expect(config.warnings[0].line == 5)
        #expect(config.warnings[0].message.contains("unsigned"))
        #expect(config.warnings[0].description.hasSuffix("payhookd.toml:5: \(config.warnings[0].message)"))
    }

    @Test("a config without sources loads with a warning")
    func noSourcesWarning() throws {
        let config = try load("[server]\n")
        #expect(config.warnings.map(\.message) == ["no [[sources]]: nothing can be received"])
    }

    @Test("a non-loopback admin address is accepted with an inline admin_token")
    func adminTokenInline() throws {
        let config = try load("[server]\nadmin = [\"[2001:db8::1]:8481\"]\nadmin_token = \"abcdefghijklmnop\"\n" + S.nonstopaySource)
        #expect(config.server.adminToken == "abcdefghijklmnop")
    }

    @Test("hooks accept loopback http URLs in every form and unix-socket URLs")
    func hookURLs() throws {
        for url in [
            "http://127.0.0.1:9000/x", "http://127.1.2.3/x", "http://localhost:1/", "http://[::1]:80/p?q=1",
            "http://[::1]/p", "unix:/run/app.sock:/path",
        ] {
            let config = try load(S.nonstopaySource + "\n[[hooks]]\nname = \"h\"\nurl = \"\(url)\"\n")
            #expect(config.hooks[0].target == .url(url))
        }
    }

    @Test("sources and hooks may also be written as arrays of inline tables")
    func inlineTableArrays() throws {
        let config = try load(
            """
            sources = [{ name = "a", provider = "noventiq", secret = "k" }]
            hooks = [{ name = "h", command = ["/bin/true"] }]
            """)
        #expect(config.sources.map(\.name) == ["a"] && config.hooks.map(\.name) == ["h"])
    }

    @Test("the shipped dev config serves every fixture source with the fixtures' secrets, state in ./var")
    func devConfig() throws {
        let path = S.repoRoot + "/config/payhookd.dev.toml"
        let config = try Config.load(path: path, environment: [:])
        #expect(config.server.ingest == ["127.0.0.1:8480"] && config.server.admin == ["127.0.0.1:8481"])
        #expect(config.storage.dir == S.repoRoot + "/var")
        // The sources and secrets of ../shared/fixtures/fixtures.json.
        let bySource = Dictionary(uniqueKeysWithValues: config.sources.map { ($0.name, $0) })
        let nonstopay = Array("nonstopay-test-secret".utf8)
        for (name, kind) in [("nonstopay-payin", "payin"), ("nonstopay-nft", "nft"), ("nonstopay-payout", "payout")] {
            #expect(bySource[name]?.kind == kind)
            #expect(bySource[name]?.signature == .hmacSHA256Hex)
            #expect(bySource[name]?.secrets == [nonstopay])
        }
        #expect(bySource["noventiq"]?.signature == .sha512Fields)
        #expect(bySource["noventiq"]?.secrets == [Array("secret_key".utf8)])
        #expect(config.warnings.isEmpty)
    }

    @Test("the shipped production example loads with its secrets from $CREDENTIALS_DIRECTORY")
    func productionExample() throws {
        let creds = S.makeTempDir()
        defer { S.removeTree(creds) }
        S.write(creds + "/nonstopay.key", "n\n")
        S.write(creds + "/noventiq.key", "q\n")
        let config = try Config.load(path: S.repoRoot + "/config/payhookd.toml", environment: ["CREDENTIALS_DIRECTORY": creds])
        #expect(config.server == Config.Server())
        #expect(config.storage == Config.Storage())
        #expect(config.sources.map(\.name) == ["nonstopay-payin", "nonstopay-payout", "noventiq"])
        #expect(config.hooks.map(\.name) == ["orders"])
        #expect(config.warnings.isEmpty)
    }

    @Test("rsa-sha256 sources load a real PEM RSA public key from secret_file")
    func rsaPublicKey() throws {
        let pem =
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA6lo+D+Z2vZoJDd2OxX/T\nXyFuWZB7K7qN2eYm6sK0O8Dnuir+0dMiP5dMlZs9tI2YiYXKCxg+yvJEH307n79p\nhZBbIdGBalqdG+4ityHQInUfIG+XzaA5ykUifQWQFqFomJ4SbuHUn7Tg1m7BVnHd\nyQJb7GIGkeFeMkA1r/jef3sYogLFgCUdXs+G+ttw0KBsCxd7jZUklG5SxMIHZo3t\n6nXC6SAd5orofhZmbIXaHUFUl2bL9OgKn+EPLVYFMp1DM4ovoBvDcStv4VUuNdTG\n0Co25dE5bQk2O3sgH5Bxvvb0q9LYkYNIVrWG8zuX8C2lfP1yPNgKc6dy684EF+Mb\nVQIDAQAB\n-----END PUBLIC KEY-----\n"
        let text = S.nonstopaySource.replacingOccurrences("hmac-sha256-hex", "rsa-sha256").replacingSecret(with: "secret_file = \"k.pem\"")
        let config = try load(text, files: ["k.pem": pem])
        #expect(config.sources[0].signature == .rsaSHA256)
        #expect(config.sources[0].secrets == [Array(pem.dropLast().utf8)])
    }
}

extension String {
    /// The minimal source with its `secret = ...` line replaced.
    func replacingSecret(with line: String) -> String {
        split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("secret = ") ? Substring(line) : $0 }
            .joined(separator: "\n")
    }
}

import Testing

@testable import PayhookDaemon

/// Every integer key of the table of settings: its min and max load (N), one past either end
/// fails with the range error (N+1), and the value lands where the row says.
@Suite struct ConfigLimitTests {
    typealias S = ConfigTestSupport

    /// A config with `key = value` in the limit's section; other keys keep cross-checks satisfied.
    static func config(_ limit: ConfigLimit, _ value: Int) -> String {
        let line = "\(limit.key) = \(value)"
        switch limit.section {
        case "server":
            // admin_reserve_connections must stay below max_connections; a body must fit the
            // HTTP/2 connection window.
            let context =
                switch limit.key {
                case "max_connections": "admin_reserve_connections = 1\n"
                case "h2_connection_window_bytes": "max_body_bytes = 1024\n"
                default: "max_connections = 1000000\n"
                }
            return "[server]\n" + context + line + "\n" + S.nonstopaySource
        case "storage":
            return "[storage]\n\n" + line + "\n" + S.nonstopaySource
        case "sources":
            // A source's limit is at most the server's.
            return "[server]\nmax_body_bytes = 8388608\n" + S.nonstopaySource + "\n" + line
        default:
            // NATS keys (status_*) need a NATS hook; same line count.
            let target = limit.key.hasPrefix("status_") ? "nats_url = \"nats://127.0.0.1:4222\"" : "command = [\"/bin/true\"]"
            return S.nonstopaySource + "\n[[hooks]]\nname = \"h\"\n" + target + "\n" + line
        }
    }

    /// The line `key = value` lands on in `config(_:_:)`.
    static func line(_ limit: ConfigLimit) -> Int { ["hooks": 10, "sources": 9][limit.section] ?? 3 }

    /// The value the row of `limit` reads from a loaded config.
    static func loaded(_ limit: ConfigLimit, _ config: Config) -> AnyHashable? {
        func row<Root>(_ section: SettingsSection<Root>, _ root: Root?) -> AnyHashable? {
            root.flatMap { r in section.rows.first { $0.key == limit.key }?.value(r) }
        }
        switch limit.section {
        case "server": return row(Settings.server, config.server)
        case "storage": return row(Settings.storage, config.storage)
        case "sources": return row(Settings.sources, config.sources.first)
        default: return row(Settings.hooks, config.hooks.first)
        }
    }

    @Test("each integer limit accepts min and max and refuses min-1 and max+1", arguments: ConfigLimits.integerKeys)
    func integerLimit(_ limit: ConfigLimit) throws {
        for ok in [limit.min, limit.max] {
            let result = S.load(Self.config(limit, ok))
            #expect(throws: Never.self, "\(limit.key) = \(ok)") { try result.get() }
        }
        for bad in [limit.min - 1, limit.max + 1] {
            #expect(
                S.loadError(Self.config(limit, bad)) == "F:\(Self.line(limit)): `\(limit.key)` = \(bad) is out of range (\(limit.min)...\(limit.max))"
            )
        }
    }

    @Test("the loaded value is the one written, at both ends of every range", arguments: ConfigLimits.integerKeys)
    func valueLands(_ limit: ConfigLimit) throws {
        for value in [limit.min, limit.max] {
            let config = try S.load(Self.config(limit, value)).get()
            #expect(Self.loaded(limit, config) == AnyHashable(value), "\(limit.key)")
        }
    }

    @Test("the walk covers every integer key of every section, each once")
    func walkCoversTable() {
        let keys = ConfigLimits.integerKeys.map { "\($0.section).\($0.key)" }
        #expect(Set(keys).count == keys.count)
        #expect(keys.contains("server.max_long_poll_waiters"))
        #expect(keys.contains("storage.acked_mark_interval_ms"))
        #expect(keys.contains("sources.max_body_bytes"))
        #expect(keys.contains("hooks.max_in_flight"))
        #expect(keys.count >= 38)
    }

    @Test("every default lies inside its range")
    func defaultsInRange() {
        func check<Root>(_ section: SettingsSection<Root>) {
            for row in section.rows {
                guard let range = row.range else { continue }
                let value = row.value(section.defaults) as? Int
                #expect(value.map(range.contains) == true, "\(section.name).\(row.key) = \(String(describing: value))")
            }
        }
        check(Settings.server)
        check(Settings.storage)
        check(Settings.sources)
        check(Settings.hooks)
        #expect(Settings.retryMaxAgeMs.contains(Config.Hook(name: "h", target: .url("")).retryMaxAgeMs))
    }

    @Test("retry_max_age: 1s and 30d load; 999ms and 30d+1ms are out of range")
    func retryMaxAge() throws {
        func hook(_ age: String) -> String {
            S.nonstopaySource + "\n[[hooks]]\nname = \"h\"\ncommand = [\"/bin/true\"]\nretry_max_age = \"\(age)\""
        }
        #expect(try S.load(hook("1s")).get().hooks[0].retryMaxAgeMs == 1000)
        #expect(try S.load(hook("30d")).get().hooks[0].retryMaxAgeMs == 2_592_000_000)
        #expect(S.loadError(hook("999ms")) == "F:10: retry_max_age `999ms` is out of range (1s...30d)")
        #expect(S.loadError(hook("2592000001ms")) == "F:10: retry_max_age `2592000001ms` is out of range (1s...30d)")
    }

    @Test("retry_max_interval: 1s and 24h load; 999ms and 24h+1ms are out of range")
    func retryMaxInterval() throws {
        func hook(_ interval: String) -> String {
            S.nonstopaySource + "\n[[hooks]]\nname = \"h\"\ncommand = [\"/bin/true\"]\nretry_max_interval = \"\(interval)\""
        }
        #expect(try S.load(hook("1s")).get().hooks[0].retryMaxIntervalMs == 1000)
        #expect(try S.load(hook("24h")).get().hooks[0].retryMaxIntervalMs == 86_400_000)
        #expect(S.loadError(hook("999ms")) == "F:10: retry_max_interval `999ms` is out of range (1s...24h)")
        #expect(S.loadError(hook("86400001ms")) == "F:10: retry_max_interval `86400001ms` is out of range (1s...24h)")
    }

    @Test("hook start, kinds and quarantined: known values load; an unknown start or kind is refused at its line")
    func hookFilters() throws {
        func hook(_ extra: String) -> String {
            S.nonstopaySource + "\n[[hooks]]\nname = \"h\"\ncommand = [\"/bin/true\"]\n" + extra
        }
        let loaded = try S.load(hook("start = \"beginning\"\nkinds = [\"payin\", \"payment\"]\nquarantined = true")).get().hooks[0]
        #expect(loaded.startAtBeginning && loaded.kinds == ["payin", "payment"] && loaded.quarantined)
        let defaults = try S.load(hook("")).get().hooks[0]
        #expect(!defaults.startAtBeginning && defaults.kinds.isEmpty && !defaults.quarantined)
        #expect(S.loadError(hook("start = \"middle\"")) == "F:10: start `middle` must be \"end\" or \"beginning\"")
        #expect(S.loadError(hook("kinds = [\"payn\"]")) == "F:10: hook `h` names unknown kind `payn` (nft | payin | payment | payout)")
    }

    @Test("admin token: 16 and 4096 bytes load; 15 and 4097 are refused")
    func adminTokenLength() throws {
        func server(_ n: Int) -> String { "[server]\nadmin_token = \"\(String(repeating: "t", count: n))\"\n" + S.nonstopaySource }
        #expect(try S.load(server(16)).get().server.adminToken?.utf8.count == 16)
        #expect(try S.load(server(4096)).get().server.adminToken?.utf8.count == 4096)
        for n in [15, 4097] {
            #expect(S.loadError(server(n)) == "F:2: the admin token must be 16 to 4096 bytes long")
        }
    }

    @Test("names: 64 bytes load; 65 are refused")
    func nameLength() throws {
        func named(_ n: Int) -> String { S.nonstopaySource.replacingOccurrences("name = \"pay\"", "name = \"\(String(repeating: "n", count: n))\"") }
        #expect(try S.load(named(64)).get().sources[0].name.utf8.count == 64)
        #expect(S.loadError(named(65)) == "F:2: source name must be 1 to 64 bytes long")
    }

    @Test("secret files of maxSecretFileBytes load; one byte more is refused")
    func secretFileSize() throws {
        let limit = ConfigLoadLimits().maxSecretFileBytes
        #expect(limit == 65_536)
        let text = S.nonstopaySource.replacingSecret(with: "secret_file = \"k\"")
        let exact = String(repeating: "k", count: limit)
        #expect(try S.load(text, extraFiles: ["k": exact]).get().sources[0].secrets[0].count == limit)
        let message = S.loadError(text, extraFiles: ["k": exact + "k"])
        #expect(message?.hasPrefix("F:6: cannot read secret file `k` (tried `") == true)
        #expect(message?.hasSuffix("/k`): larger than 65536 bytes") == true)
        // Configurable: a smaller bound applies the same way.
        let path = S.configFile(text, extraFiles: ["k": "12345"])
        defer { S.removeTree(ConfigFiles.folder(of: path)) }
        _ = try Config.load(path: path, environment: [:], limits: ConfigLoadLimits(maxSecretFileBytes: 5))
        #expect(throws: ConfigError.self) { try Config.load(path: path, environment: [:], limits: ConfigLoadLimits(maxSecretFileBytes: 4)) }
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        components(separatedBy: target).joined(separator: replacement)
    }
}

import Testing

@testable import PayhookDaemon

/// SIGHUP support: reloading from the same file and environment; what needs a restart (the
/// table's `reload` column).
@Suite struct ConfigReloadTests {
    typealias S = ConfigTestSupport

    @Test("reload() reads the file again with the same CREDENTIALS_DIRECTORY, picking up new secrets")
    func reloadSameEnvironment() throws {
        let creds = S.makeTempDir()
        defer { S.removeTree(creds) }
        S.write(creds + "/k.key", "first\n")
        let path = S.configFile(S.nonstopaySource.replacingSecret(with: "secret_file = \"k.key\""))
        defer { S.removeTree(ConfigFiles.folder(of: path)) }
        let config = try Config.load(path: path, environment: ["CREDENTIALS_DIRECTORY": creds, "HOME": "/root"])
        #expect(config.loadEnvironment == ["CREDENTIALS_DIRECTORY": creds])
        S.write(creds + "/k.key", "second\n")
        let reloaded = try config.reload()
        #expect(reloaded.sources[0].secrets == [Array("second".utf8)])
        #expect(Settings.restartRequired(config, reloaded).isEmpty)
        S.write(path, "[server]\nmax_connections = 1\n")
        #expect(throws: ConfigError(file: path, line: 2, message: "`max_connections` = 1 is out of range (2...1000000)")) {
            try config.reload()
        }
    }

    @Test("restartRequired names changed listener, limit and storage keys, not sources, proxies, tokens or hooks (applied live)")
    func restartRequired() throws {
        let old = try S.load(S.nonstopaySource).get()
        var new = old
        new.server.ingest = ["127.0.0.1:9999"]
        new.server.idleTimeoutMs = 1
        new.server.adminToken = "0123456789abcdef"
        new.server.trustedProxies = ["10.0.0.0/8"]
        new.storage.segmentBytes = 1_048_576
        new.storage.dir = "/elsewhere"
        new.sources = []
        new.hooks = [Config.Hook(name: "h", target: .command(["/bin/true"]))]
        #expect(
            Settings.restartRequired(old, new) == [
                "[server] ingest", "[server] idle_timeout_ms", "[storage] dir", "[storage] segment_bytes",
            ])
    }

    @Test("a reload names each changed key of each hook, and removed ones (what HookSet.apply restarts)")
    func hooksNamed() {
        var a = Config.Hook(name: "a", target: .command(["/bin/true"]))
        a.line = 10
        let b = Config.Hook(name: "b", target: .url("http://127.0.0.1:9/x"))
        var old = Config()
        old.hooks = [a, b]
        var new = old
        new.hooks[0].line = 12  // moved in the file: not a change
        new.hooks[0].timeoutMs = 9000
        new.hooks[0].target = .command(["/bin/false"])
        new.hooks.remove(at: 1)
        #expect(Settings.hooksChanged(old.hooks, new.hooks) == ["[[hooks]] a command", "[[hooks]] a timeout_ms", "[[hooks]] b (removed)"])
        #expect(Settings.restartRequired(old, new).isEmpty)
    }

    @Test("every [server] and [storage] key is either applied by SIGHUP or named when it changes")
    func everyKeyHasAReloadRule() {
        let live = Settings.server.rows.filter { $0.reload == .live }.map(\.key)
        #expect(live == ["trusted_proxies", "admin_token_file", "admin_token"])
        #expect(Settings.storage.rows.allSatisfy { $0.reload == .restart })
    }

    @Test("a trusted_proxies block of every address loads with a warning")
    func trustEveryone() throws {
        let config = try S.load("[server]\ntrusted_proxies = [\"127.0.0.1\",\n\"0.0.0.0/0\"]\n" + S.nonstopaySource).get()
        #expect(config.warnings.map(\.line) == [3])
        #expect(config.warnings.first?.message.contains("trusts every peer") == true)
    }
}

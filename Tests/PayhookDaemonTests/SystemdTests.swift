import Testing

@testable import PayhookDaemon

/// systemd/payhookd.service, payhookd.socket and payhookd-admin.socket: valid for systemd, and
/// consistent with the config's defaults and limits.
@Suite struct SystemdTests {
    typealias S = ConfigTestSupport

    /// `Key=value` settings of a unit file, in order, with their section.
    static func settings(_ file: String) -> [(section: String, key: String, value: String)] {
        var out: [(String, String, String)] = []
        var section = ""
        for line in S.read(S.repoRoot + "/systemd/" + file).split(separator: "\n") {
            if line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                section = String(line.dropFirst().dropLast())
                continue
            }
            guard let eq = line.firstIndex(of: "=") else { continue }
            out.append((section, String(line[..<eq]), String(line[line.index(after: eq)...])))
        }
        return out
    }

    static func values(_ file: String, _ key: String) -> [String] {
        settings(file).filter { $0.key == key }.map(\.value)
    }

    static let analyze = S.tool("systemd-analyze")

    @Test("systemd-analyze verify accepts the units without any warning", .enabled(if: analyze != nil, "systemd-analyze is not installed"))
    func verify() throws {
        try #require(S.exists(S.binary), "payhookd is built next to the tests")
        let dir = S.makeTempDir()
        defer { S.removeTree(dir) }
        // verify checks that ExecStart's program exists: point it at the built binary.
        let service = S.read(S.repoRoot + "/systemd/payhookd.service").replacing("/usr/bin/payhookd", with: S.binary)
        #expect(service.contains("ExecStart=\(S.binary) serve"))
        S.write(dir + "/payhookd.service", service)
        for socket in ["payhookd.socket", "payhookd-admin.socket"] {
            S.write(dir + "/" + socket, S.read(S.repoRoot + "/systemd/" + socket))
        }
        let r = S.run(
            [Self.analyze!, "verify", dir + "/payhookd.service", dir + "/payhookd.socket", dir + "/payhookd-admin.socket"],
            environment: ["PATH": S.toolPath, "SYSTEMD_LOG_COLOR": "0"])
        #expect(r.status == 0)
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        #expect(r.stdout.isEmpty, "\(r.stdout)")
    }

    @Test("verify does report an unknown key (so the check above can fail)", .enabled(if: analyze != nil, "systemd-analyze is not installed"))
    func verifyCatchesUnknownKeys() throws {
        let dir = S.makeTempDir()
        defer { S.removeTree(dir) }
        let service = S.read(S.repoRoot + "/systemd/payhookd.service").replacing("/usr/bin/payhookd", with: S.binary)
            .replacing("NoNewPrivileges=yes", with: "NoNewPrivileges=yes\nNoNewPrivilege=yes")
        S.write(dir + "/payhookd.service", service)
        let r = S.run([Self.analyze!, "verify", dir + "/payhookd.service"], environment: ["PATH": S.toolPath])
        #expect(r.stderr.contains("Unknown key"))
    }

    @Test("the service is Type=notify with the contract's commands, restart and hardening settings")
    func serviceSettings() {
        let expected: [(String, String)] = [
            ("Type", "notify"), ("ExecStart", "/usr/bin/payhookd serve --config \(Config.defaultPath)"),
            ("ExecReload", "/bin/kill -HUP $MAINPID"), ("Restart", "on-failure"), ("RestartPreventExitStatus", "2"),
            ("DynamicUser", "yes"), ("StateDirectory", "payhookd"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"),
            ("PrivateTmp", "yes"), ("NoNewPrivileges", "yes"), ("RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6"),
            ("SystemCallFilter", "@system-service"), ("CapabilityBoundingSet", ""), ("NotifyAccess", "main"),
        ]
        for (key, value) in expected {
            #expect(Self.values("payhookd.service", key).contains(value), "\(key)=\(value)")
        }
        #expect(Self.values("payhookd.service", "WatchdogSec").first.flatMap(Self.seconds).map { $0 > 0 } == true)
    }

    @Test("TimeoutStopSec outlasts the longest allowed shutdown_timeout_ms with margin for the last fsyncs")
    func stopTimeout() throws {
        let stop = try #require(Self.values("payhookd.service", "TimeoutStopSec").first.flatMap(Self.seconds))
        #expect(stop * 1000 >= Settings.limit("server", "shutdown_timeout_ms").max + 10_000)
        #expect(stop * 1000 >= Config.Server().shutdownTimeoutMs * 3)
    }

    @Test("LimitNOFILE covers the default max_connections plus files, listeners and hooks")
    func fileLimit() throws {
        let nofile = try #require(Self.values("payhookd.service", "LimitNOFILE").first.flatMap { Int($0) })
        #expect(nofile >= Config.Server().maxConnections + 1024)
    }

    @Test("every relative secret_file of the example config has a LoadCredential= of that name")
    func credentialsMatchExample() throws {
        let credentials = Set(Self.values("payhookd.service", "LoadCredential").map { String($0.prefix { $0 != ":" }) })
        let doc = try TOMLParser().parse(S.read(S.repoRoot + "/config/payhookd.toml"))
        var files: [String] = []
        for source in doc["sources"]?.elements ?? [] {
            guard case .table(let t) = source.kind else { continue }
            for value in [t["secret_file"]].compactMap({ $0 }) {
                if case .string(let s) = value.kind { files.append(s) }
            }
        }
        #expect(!files.isEmpty)
        for file in files where !file.hasPrefix("/") {
            #expect(credentials.contains(file), "LoadCredential=\(file):...")
        }
        for value in Self.values("payhookd.service", "LoadCredential") {
            #expect(value.contains(":/etc/payhookd/"), "\(value)")
        }
    }

    @Test("the socket units listen on the config's default addresses, named ingest and admin, for payhookd.service")
    func sockets() {
        let server = Config.Server()
        #expect(Self.values("payhookd.socket", "ListenStream") == server.ingest)
        #expect(Self.values("payhookd.socket", "FileDescriptorName") == ["ingest"])
        #expect(Self.values("payhookd-admin.socket", "ListenStream") == server.admin)
        #expect(Self.values("payhookd-admin.socket", "FileDescriptorName") == ["admin"])
        for socket in ["payhookd.socket", "payhookd-admin.socket"] {
            #expect(Self.values(socket, "Service") == ["payhookd.service"])
            #expect(Self.values(socket, "WantedBy") == ["sockets.target"])
        }
    }

    /// systemd time spans used here: `90`, `90s`, `5min`.
    static func seconds(_ text: String) -> Int? {
        if text.hasSuffix("min") { return Int(text.dropLast(3)).map { $0 * 60 } }
        if text.hasSuffix("s") { return Int(text.dropLast()) }
        return Int(text)
    }
}

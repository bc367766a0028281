import Testing

@testable import PayhookDaemon

/// The real `payhookd` binary: subcommands, outputs and exit codes (0 ok, 1 runtime, 2 usage/config).
@Suite struct CLITests {
    typealias S = ConfigTestSupport

    func payhookd(_ args: [String], environment: [String: String] = [:], directory: String? = nil) throws -> S.ProcessResult {
        try #require(S.exists(S.binary), "payhookd is built next to the tests: \(S.binary)")
        return S.run([S.binary] + args, environment: environment, directory: directory)
    }

    @Test("`version` and `--version` print the version and exit 0")
    func version() throws {
        let r = try payhookd(["version"])
        #expect(r.status == 0 && r.stdout == "payhookd \(Daemon.version)\n" && r.stderr.isEmpty)
        let flag = try payhookd(["--version"])
        #expect(flag.status == 0 && flag.stdout == "\(Daemon.version)\n")
    }

    @Test("check-config accepts the dev config as `make run` uses it, from the repo root; state goes to ./var")
    func devConfigFromRepoRoot() throws {
        let r = try payhookd(["check-config", "--config", "config/payhookd.dev.toml"], directory: S.repoRoot)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty)
        #expect(r.stdout.hasPrefix("ok: config/payhookd.dev.toml: ingest 127.0.0.1:8480; admin 127.0.0.1:8481; storage var; 4 sources: "))
        #expect(r.stdout.contains("noventiq (noventiq/payment, sha512-fields)"))
        #expect(!r.stdout.contains("nonstopay-test-secret") && !r.stdout.contains("secret_key"))
    }

    @Test("check-config accepts the production example with secrets from $CREDENTIALS_DIRECTORY")
    func productionWithCredentials() throws {
        let creds = S.makeTempDir()
        defer { S.removeTree(creds) }
        S.write(creds + "/nonstopay.key", "n-secret\n")
        S.write(creds + "/noventiq.key", "q-secret\n")
        let path = S.repoRoot + "/config/payhookd.toml"
        let r = try payhookd(["check-config", "--config", path], environment: ["CREDENTIALS_DIRECTORY": creds])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("ok: \(path): ingest 127.0.0.1:8480; admin 127.0.0.1:8481; storage /var/lib/payhookd; 3 sources"))
        #expect(r.stdout.hasSuffix("; 1 hook: orders\n"))
    }

    @Test("without credentials the production example fails at its first secret_file line, exit 2")
    func productionWithoutCredentials() throws {
        let path = S.repoRoot + "/config/payhookd.toml"
        let lines = S.read(path).split(separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(lines.firstIndex { $0.hasPrefix("secret_file = ") }) + 1
        let r = try payhookd(["check-config", "--config", path])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(
            r.stderr
                == "\(path):\(line): cannot read secret file `nonstopay.key` (tried `\(S.repoRoot)/config/nonstopay.key`): No such file or directory\n"
        )
    }

    @Test("check-config prints each refusal as `file:line: message` on stderr and exits 2", arguments: configErrorCases)
    func refusal(_ c: ConfigErrorCase) throws {
        let path = S.configFile(c.text, extraFiles: c.files)
        let dir = ConfigFiles.folder(of: path)
        defer { S.removeTree(dir) }
        let r = try payhookd(["check-config", "--config", path])
        let expected = c.expected.replacing("`D/", with: "`\(dir)/").replacing("`D`", with: "`\(dir)`")
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr == path + expected.dropFirst(1) + "\n")
    }

    @Test("a missing config file: `file: message`, exit 2, for check-config and serve")
    func missingConfig() throws {
        for command in ["check-config", "serve"] {
            let r = try payhookd([command, "--config", "/nonexistent/payhookd.toml"])
            #expect(r.status == 2)
            #expect(r.stderr == "/nonexistent/payhookd.toml: cannot read config: No such file or directory\n")
        }
    }

    @Test("serve refuses a bad config before starting anything: `file:line: message`, exit 2")
    func serveBadConfig() throws {
        let path = S.configFile("[server]\nmax_connections = 1\n")
        defer { S.removeTree(ConfigFiles.folder(of: path)) }
        let r = try payhookd(["serve", "--config", path])
        #expect(r.status == 2)
        #expect(r.stderr == "\(path):2: `max_connections` = 1 is out of range (2...1000000)\n")
    }

    @Test("check-config prints warnings on stderr and still exits 0")
    func warnings() throws {
        let path = S.configFile(
            "[[sources]]\nname = \"open\"\nprovider = \"nonstopay\"\nkind = \"payin\"\nsignature = \"none\"\nallow_from = [\"192.0.2.0/24\"]\n")
        defer { S.removeTree(ConfigFiles.folder(of: path)) }
        let r = try payhookd(["check-config", "--config", path])
        #expect(r.status == 0)
        #expect(r.stderr == "warning: \(path):5: source `open` accepts unsigned callbacks (signature = \"none\"), only from allow_from\n")
        #expect(r.stdout.hasPrefix("ok: "))
    }

    @Test(
        "argument-parser usage errors exit 2, not 64",
        arguments: [
            [], ["bogus"], ["check-config", "--bogus"], ["check-config", "--config"], ["version", "extra"], ["serve", "x"],
        ])
    func usageErrors(_ args: [String]) throws {
        let r = try payhookd(args)
        #expect(r.status == 2)
        #expect(r.stderr.contains("Usage: payhookd"))
        #expect(r.stdout.isEmpty)
    }

    @Test("help exits 0 and lists the subcommands and the --config default", arguments: [["--help"], ["help", "check-config"], ["serve", "-h"]])
    func help(_ args: [String]) throws {
        let r = try payhookd(args)
        #expect(r.status == 0)
        #expect(r.stdout.contains("USAGE: payhookd"))
        if args == ["--help"] {
            for sub in ["serve", "check-config", "version"] { #expect(r.stdout.contains("  \(sub) ")) }
        } else {
            #expect(r.stdout.contains("(default: /etc/payhookd/payhookd.toml)"))
        }
    }
}

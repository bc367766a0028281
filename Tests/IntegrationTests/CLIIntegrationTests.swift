import Glibc
import PayhookCore
import Testing

/// Runs `payhookd ARGS` to completion; returns its exit status, stdout and stderr.
func runCLI(_ args: [String], dir: String) throws -> (status: Int32, stdout: String, stderr: String) {
    let out = dir + "/cli.out"
    let err = dir + "/cli.err"
    let pid = try DaemonProcess.spawn([DaemonProcess.binary] + args, env: ["PATH": "/usr/bin:/bin"], stderrPath: err, stdoutPath: out)
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return (code, try DaemonProcess.readFile(out), try DaemonProcess.readFile(err))
}

/// The operator commands against a running daemon and its storage folder.
@Suite(.serialized) struct CLIIntegrationTests {
    @Test("rejects: a refused callback is kept; after the secret is fixed, reverify ingests it once")
    func rejectsReverify() throws {
        let wrong = fixtureSources.replacingOccurrences("secret = \"nonstopay-test-secret\"", "secret = \"an-old-secret\"")
        let d = try DaemonProcess(server: ephemeralServer(), sources: wrong)
        let c = try RawClient(d.ingest)
        try c.send(nonstopayRequest("nonstopay-payin", body: #"{"status":"invoice:paid","id":"808","amount":"3.10"}"#))
        #expect(c.readAnswer()?.status == 401)
        let storage = d.dir + "/var"
        var listed = ""
        for _ in 0..<200 {  // the rejects store writes off the loop thread
            listed = try runCLI(["rejects", "list", "--dir", storage], dir: d.dir).stdout
            if !listed.isEmpty { break }
            usleep(10_000)
        }
        let entry = try #require(try JSONParser.parse(Array(listed.split(separator: "\n").first.map(String.init)?.utf8 ?? "".utf8)))
        #expect(entry["source"]?.stringValue == "nonstopay-payin")
        #expect(entry["reason"]?.stringValue == "bad_signature: signature_mismatch")
        #expect(entry["reingested"]?.boolValue == false)

        let config = d.dir + "/payhookd.toml"
        try DaemonProcess.writeFile(config, try DaemonProcess.readFile(config).replacingOccurrences("an-old-secret", "nonstopay-test-secret"))
        d.signal(SIGHUP)
        for _ in 0..<200 where !d.stderr.contains("configuration reloaded") { usleep(10_000) }

        let first = try runCLI(["rejects", "reverify", "--config", config, "--admin", d.admin], dir: d.dir)
        #expect(first.status == 0, "\(first.stderr)")
        let summary = try JSONParser.parse(Array(first.stdout.utf8))
        #expect(summary["checked"]?.numberText == "1" && summary["ingested"]?.numberText == "1", "\(first.stdout)")
        let status = try runCLI(["status", "--json", "--config", config, "--admin", d.admin, "nonstopay-payin", "808"], dir: d.dir)
        #expect(status.status == 0)
        #expect(try JSONParser.parse(Array(status.stdout.utf8))["status"]?.stringValue == "succeeded")
        let summary808 = try runCLI(["status", "--config", config, "--admin", d.admin, "nonstopay-payin", "808"], dir: d.dir)
        #expect(summary808.status == 0)
        #expect(summary808.stdout.contains("status      succeeded"), "\(summary808.stdout)")
        #expect(summary808.stdout.contains("amount      3.10"), "\(summary808.stdout)")
        #expect(summary808.stdout.contains("events      1") && summary808.stdout.contains("last events:\n  #"), "\(summary808.stdout)")
        let second = try runCLI(["rejects", "reverify", "--config", config, "--admin", d.admin], dir: d.dir)
        #expect(try JSONParser.parse(Array(second.stdout.utf8))["checked"]?.numberText == "0", "reingested only once")
        let relisted = try runCLI(["rejects", "list", "--dir", storage], dir: d.dir).stdout
        #expect(relisted.contains(#""reingested":true"#))
    }

    @Test("status: exit 1 for a payment never seen, and when no daemon answers")
    func statusMissing() throws {
        let d = try DaemonProcess(server: ephemeralServer(), sources: fixtureSources)
        let config = d.dir + "/payhookd.toml"
        let missing = try runCLI(["status", "--config", config, "--admin", d.admin, "noventiq", "1"], dir: d.dir)
        #expect(missing.status == 1 && missing.stdout.contains("not_found"))
        d.signal(SIGTERM)
        #expect(d.waitExit() == 0)
        let down = try runCLI(["status", "--config", config, "--admin", d.admin, "noventiq", "1"], dir: d.dir)
        #expect(down.status == 1 && down.stderr.contains("cannot reach the admin listener"))
    }

    @Test("log verify, stats and dump read the storage folder of a stopped daemon")
    func logTools() throws {
        let d = try DaemonProcess(server: ephemeralServer(), sources: fixtureSources)
        let c = try RawClient(d.ingest)
        for id in 1...3 {
            try c.send(nonstopayRequest("nonstopay-payin", body: "{\"status\":\"invoice:paid\",\"id\":\"\(id)\"}"))
            #expect(c.readAnswer()?.status == 200)
        }
        d.signal(SIGTERM)
        #expect(d.waitExit() == 0)
        let storage = d.dir + "/var"
        let verify = try runCLI(["log", "verify", "--dir", storage], dir: d.dir)
        #expect(verify.status == 0, "\(verify.stdout)")
        let dump = try runCLI(["log", "dump", "--dir", storage, "--from", "2"], dir: d.dir)
        let lines = dump.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(try JSONParser.parse(Array(lines[0].utf8))["payment_id"]?.stringValue == "2")
        let stats = try runCLI(["log", "stats", "--dir", storage], dir: d.dir)
        #expect(stats.status == 0 && stats.stdout.contains("3"))
    }
}

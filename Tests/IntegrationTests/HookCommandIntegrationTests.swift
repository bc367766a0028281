import Glibc
import Testing

/// Command hooks through the real binary: stdin, environment, exit codes, timeout of the group.
@Suite(.serialized)
struct HookCommandIntegrationTests {
    func waitFor(_ timeoutMs: Int = 20_000, _ condition: () -> Bool) -> Bool {
        for _ in 0..<(timeoutMs / 20) {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    @Test("command hook: event JSON on stdin, PAYHOOK_* environment only, exit 0 succeeds, a failing exit is retried")
    func stdinEnvironmentExit() throws {
        let dir = DaemonProcess.makeTempDir()
        // Fails the first attempt of every event (no marker yet), succeeds on the second.
        let script = """
            #!/bin/sh
            out=\(dir)/out
            mkdir -p $out
            if [ ! -e $out/tried-$PAYHOOK_SEQ ]; then touch $out/tried-$PAYHOOK_SEQ; echo "first try of $PAYHOOK_SEQ"; exit 3; fi
            cat > $out/stdin-$PAYHOOK_SEQ
            env | sort > $out/env-$PAYHOOK_SEQ
            exit 0
            """
        try DaemonProcess.writeFile(dir + "/hook.sh", script)
        chmod(dir + "/hook.sh", 0o755)
        let d = try DaemonProcess(
            server: ephemeralServer(),
            extraConfig: """
                [[hooks]]
                name = "cmd"
                command = ["/bin/sh", "\(dir)/hook.sh"]
                start = "beginning"
                """, sources: fixtureSources, environment: ["SECRET_OF_THE_DAEMON": "x"], dir: dir)
        defer { d.signal(SIGKILL) }
        let c = try RawClient(d.ingest)
        try c.send(nonstopayRequest("nonstopay-payin", body: #"{"status":"invoice:paid","id":"c1"}"#))
        #expect(c.readAnswer()?.status == 200)
        #expect(waitFor { access(dir + "/out/env-1", F_OK) == 0 })
        usleep(100_000)
        let env = (try? DaemonProcess.readFile(dir + "/out/env-1")) ?? ""
        #expect(env.contains("PAYHOOK_SEQ=1\n"))
        #expect(env.contains("PAYHOOK_ATTEMPT=2\n"))
        #expect(env.contains("PAYHOOK_PAYMENT_ID=c1\n"))
        #expect(env.contains("PAYHOOK_STATUS=succeeded\n"))
        #expect(env.contains("PAYHOOK_SOURCE=nonstopay-payin\n"))
        #expect(!env.contains("SECRET_OF_THE_DAEMON"))
        #expect(!env.contains("PAYHOOKD_READY_FILE"))
        let stdin = (try? DaemonProcess.readFile(dir + "/out/stdin-1")) ?? ""
        #expect(stdin.hasPrefix("{") && stdin.contains("\"payhook.event/v1\"") && stdin.contains("\"c1\""))
        // The failed first attempt's output reached the daemon's log, tagged with hook and seq.
        #expect(waitFor { d.stderr.contains("hook cmd seq 1 output: first try of 1") })
    }

    @Test("command hook timeout kills the whole process group, grandchild included")
    func timeoutKillsGroup() throws {
        let dir = DaemonProcess.makeTempDir()
        let script = """
            #!/bin/sh
            sleep 60 &
            echo $! > \(dir)/grandchild-$PAYHOOK_ATTEMPT
            wait
            """
        try DaemonProcess.writeFile(dir + "/hook.sh", script)
        chmod(dir + "/hook.sh", 0o755)
        let d = try DaemonProcess(
            server: ephemeralServer(),
            extraConfig: """
                [[hooks]]
                name = "slow"
                command = ["/bin/sh", "\(dir)/hook.sh"]
                start = "beginning"
                timeout_ms = 300
                """, sources: fixtureSources, dir: dir)
        defer { d.signal(SIGKILL) }
        let c = try RawClient(d.ingest)
        try c.send(nonstopayRequest("nonstopay-payin", body: #"{"status":"invoice:paid","id":"t1"}"#))
        #expect(c.readAnswer()?.status == 200)
        // The second attempt starts only after the first timed out and was retried.
        #expect(waitFor { access(dir + "/grandchild-2", F_OK) == 0 })
        let text = (try? DaemonProcess.readFile(dir + "/grandchild-1")) ?? ""
        let pid = Int32(text.split(separator: "\n").first ?? "") ?? 0
        #expect(pid > 0)
        #expect(waitFor(5000) { kill(pid, 0) != 0 }, "grandchild \(pid) outlived the timeout")
        // Ingest is unaffected.
        try c.send(nonstopayRequest("nonstopay-payin", body: #"{"status":"invoice:paid","id":"t2"}"#))
        #expect(c.readAnswer()?.status == 200)
    }
}

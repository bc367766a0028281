import Glibc
import PayhookCore
import PayhookHooks
import PayhookPosix
import TestSupport
import Testing

@Suite struct ChildProcessTests {
    /// Whether `pid` is gone or a zombie (dead, waiting for a parent that may never reap it).
    static func isDead(_ pid: pid_t) -> Bool {
        guard let f = fopen("/proc/\(pid)/stat", "r") else { return true }
        defer { fclose(f) }
        var buffer = [CChar](repeating: 0, count: 512)
        guard fgets(&buffer, 512, f) != nil else { return true }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return true }
        return text[text.index(close, offsetBy: 2)] == "Z"
    }

    static func waitFor(_ condition: () -> Bool) -> Bool {
        for _ in 0..<1_000 {  // up to 10 s on a loaded machine
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    @Test("on timeout the whole group dies: a child that forked a grandchild takes it along")
    func killsGroup() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let pidFile = dir.file("grandchild.pid")
        let child = try ChildProcess.spawn(
            argv: ["/bin/sh", "-c", "/bin/sleep 300 & echo $! > \(pidFile).tmp && mv \(pidFile).tmp \(pidFile); wait"],
            environment: ["PATH=/usr/bin:/bin"])
        defer { child.close() }
        #expect(Self.waitFor { access(pidFile, F_OK) == 0 }, "the grandchild started")
        let grandchild = try #require(pid_t(String(decoding: dir.read(pidFile), as: UTF8.self).split(separator: "\n").first ?? ""))
        #expect(!Self.isDead(grandchild))
        #expect(try child.reap() == nil, "still running: the timeout fires")
        try child.signalGroup(SIGKILL)
        #expect(try child.reap(block: true) == .signaled(SIGKILL))
        #expect(Self.waitFor { Self.isDead(grandchild) }, "the grandchild died with its group")
        try child.signalGroup(SIGKILL)  // the group is gone: not an error
    }

    @Test("the child gets exactly the given environment, an empty signal mask, and a pidfd that signals its exit")
    func cleanStart() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var block = sigset_t()
        sigemptyset(&block)
        sigaddset(&block, SIGTERM)
        sigaddset(&block, SIGHUP)
        var old = sigset_t()
        pthread_sigmask(SIG_BLOCK, &block, &old)
        defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
        let out = open(dir.file("out"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        defer { Glibc.close(out) }
        let command = HookCommand(argv: ["/bin/sh", "-c", "env | sort; grep SigBlk /proc/self/status; exit 3"], event: event(5, "p"), attempt: 1)
        let child = try ChildProcess.spawn(argv: command.argv, environment: command.environment, stdout: out)
        defer { child.close() }
        var poll = pollfd(fd: child.pidfd, events: Int16(POLLIN), revents: 0)
        #expect(Glibc.poll(&poll, 1, 10_000) == 1, "the pidfd polls readable at exit")
        #expect(try child.reap() == .exited(3))
        let lines = String(decoding: dir.read(dir.file("out")), as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.last == "SigBlk:\t0000000000000000")
        // sh adds PWD (and may add SHLVL, _): everything else is what we passed.
        let passed = lines.dropLast().filter { !$0.hasPrefix("PWD=") && !$0.hasPrefix("SHLVL=") && !$0.hasPrefix("_=") }
        #expect(passed == command.environment)
    }
}

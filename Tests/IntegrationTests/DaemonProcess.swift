import Glibc
import Testing

/// The real `payhookd` binary, started with a config written to a fresh temporary folder.
/// Addresses chosen with port 0 are read back from the ready file (`PAYHOOKD_READY_FILE`).
final class DaemonProcess {
    let dir: String
    let pid: pid_t
    /// `role address` pairs from the ready file, in listener order.
    private(set) var listeners: [(role: String, address: String)] = []
    private var exitStatus: Int32?

    /// The binary next to the test bundle (`.build/<triple>/debug/payhookd`), else the
    /// package's `.build/debug/payhookd`.
    static var binary: String {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        let exe = String(decoding: buf[0..<max(n, 0)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let sibling = String(exe[..<(exe.lastIndex(of: "/") ?? exe.startIndex)]) + "/payhookd"
        if access(sibling, X_OK) == 0 { return sibling }
        let root = #filePath.replacingSuffix("/Tests/IntegrationTests/DaemonProcess.swift")
        return root + "/.build/debug/payhookd"
    }

    /// A unique temporary folder.
    static func makeTempDir() -> String {
        var template = Array("/tmp/payhookd-it-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    /// Starts `payhookd serve` with `serverSection` as `[server]` (plus one source `noventiq`)
    /// and waits until the ready file lists the listeners. `wrapper` prefixes the command
    /// (e.g. systemd-socket-activate) and then readiness is not awaited.
    /// `sources` replaces the default `noventiq` source section when given.
    init(
        server serverSection: String, extraConfig: String = "", sources: String? = nil, environment extra: [String: String] = [:],
        wrapper: [String] = [], awaitReady: Bool = true, dir existing: String? = nil, stderrFD: Int32? = nil
    ) throws {
        dir = existing ?? Self.makeTempDir()
        let config = """
            [server]
            \(serverSection)
            [storage]
            dir = "\(dir)/var"
            \(sources ?? Self.defaultSources)
            \(extraConfig)
            """
        try Self.writeFile(dir + "/payhookd.toml", config)
        let binary = Self.binary
        try #require(access(binary, X_OK) == 0, "payhookd binary not found at \(binary): build it first (swift build)")
        var env = ["PAYHOOKD_READY_FILE": dir + "/ready", "PATH": "/usr/bin:/bin"]
        for (k, v) in extra { env[k] = v }
        pid = try Self.spawn(
            wrapper + [binary, "serve", "--config", dir + "/payhookd.toml"], env: env, stderrPath: dir + "/stderr", stderrFD: stderrFD)
        if awaitReady { try waitReady() }
    }

    static let defaultSources = """
        [[sources]]
        name = "noventiq"
        provider = "noventiq"
        kind = "payment"
        secret = "test-secret"
        """

    /// Waits up to `timeoutMs` for the ready file.
    func waitReady(timeoutMs: Int = 15_000) throws {
        for _ in 0..<(timeoutMs / 10) {
            if let text = try? Self.readFile(dir + "/ready"), text.hasSuffix("\n") {
                listeners = text.split(separator: "\n").map {
                    let parts = $0.split(separator: " ", maxSplits: 1)
                    return (String(parts[0]), String(parts[1]))
                }
                return
            }
            if let status = poll() {
                Issue.record("payhookd exited with \(status) before ready: \(stderr)")
                throw Stop()
            }
            usleep(10_000)
        }
        Issue.record("payhookd not ready in time: \(stderr)")
        throw Stop()
    }

    struct Stop: Error {}

    func address(_ role: String, unix: Bool = false) -> String {
        listeners.first { $0.role == role && $0.address.hasPrefix("unix:") == unix }!.address
    }
    var ingest: String { address("ingest") }
    var admin: String { address("admin") }
    var stderr: String { (try? Self.readFile(dir + "/stderr")) ?? "" }

    func signal(_ sig: Int32) { kill(pid, sig) }

    /// Resident memory (VmRSS) in kB.
    var rssKB: Int {
        let status = (try? Self.readFile("/proc/\(pid)/status")) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// The exit status if the process ended (reaps it), nil while it runs.
    func poll() -> Int32? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return exitStatus
    }

    /// Waits up to `timeoutMs` for the exit; kills it (and returns nil) when it does not come.
    func waitExit(timeoutMs: Int = 10_000) -> Int32? {
        for _ in 0..<(timeoutMs / 5) {
            if let s = poll() { return s }
            usleep(5000)
        }
        kill(pid, SIGKILL)
        _ = waitExitBlocking()
        return nil
    }

    private func waitExitBlocking() -> Int32 {
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        exitStatus = status
        return status
    }

    deinit {
        if poll() == nil {
            kill(pid, SIGKILL)
            _ = waitExitBlocking()
        }
    }

    // MARK: helpers

    /// `stderrFD`, when given, becomes the child's stderr instead of `stderrPath`.
    static func spawn(
        _ argv: [String], env: [String: String], stderrPath: String, stdoutPath: String = "/dev/null", stderrFD: Int32? = nil
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stderrFD {
            posix_spawn_file_actions_adddup2(&actions, stderrFD, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // The test runner may block signals; the daemon must start with a clean mask.
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGTERM, SIGINT, SIGHUP, SIGPIPE] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let cargv = argv.map { strdup($0) } + [nil]
        let cenv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in cargv + cenv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attr, cargv, cenv)
        try #require(rc == 0, "posix_spawn \(argv[0]): \(rc)")
        return pid
    }

    static func writeFile(_ path: String, _ text: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        try #require(fd >= 0, "open \(path)")
        defer { close(fd) }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    static func readFile(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Stop() }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Raises this process's fd limit to its hard limit (children inherit it).
    static func raiseFDLimit() {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

extension String {
    func replacingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}

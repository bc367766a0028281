import Glibc
import Testing

@testable import PayhookDaemon

/// Helpers for the config, CLI and systemd tests: temp folders, files, the repository root,
/// and running the built `payhookd` binary as a subprocess (posix_spawn; Foundation's Process is
/// not used).
enum ConfigTestSupport {
    /// The repository root (this file is Tests/PayhookDaemonTests/ConfigTestSupport.swift).
    static let repoRoot: String = {
        var path = #filePath
        for _ in 0..<3 { path = ConfigFiles.folder(of: path) }
        return path
    }()

    /// The folder of the running test binary, where SwiftPM also puts `payhookd`.
    static let buildFolder: String = {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        precondition(n > 0, "readlink /proc/self/exe")
        let exe = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // The test binary may sit inside an .xctest bundle folder on some layouts.
        let folder = ConfigFiles.folder(of: exe)
        return folder.hasSuffix(".xctest") ? ConfigFiles.folder(of: folder) : folder
    }()

    static var binary: String { buildFolder + "/payhookd" }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// A new empty folder under /tmp.
    static func makeTempDir() -> String {
        var template = Array("/tmp/payhookd-config-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp")
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func write(_ path: String, _ text: String, mode: mode_t = 0o600) {
        write(path, bytes: Array(text.utf8), mode: mode)
    }

    static func write(_ path: String, bytes: [UInt8], mode: mode_t = 0o600) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        precondition(fd >= 0, "open \(path)")
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            precondition(n > 0, "write \(path)")
            offset += n
        }
    }

    static func read(_ path: String) -> String {
        (try? ConfigFiles.read(path, maxBytes: 1 << 24)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    static func removeTree(_ path: String) {
        guard path.hasPrefix("/tmp/payhookd-") else { return }
        _ = run(["/bin/rm", "-rf", path])
    }

    /// A config file in a fresh folder; returns its path. The folder also holds `extraFiles`.
    static func configFile(_ text: String, extraFiles: [String: String] = [:]) -> String {
        let dir = makeTempDir()
        for (name, content) in extraFiles { write(dir + "/" + name, content) }
        let path = dir + "/payhookd.toml"
        write(path, text)
        return path
    }

    /// Loads `text` as a config (written to a temp folder so relative files resolve there).
    static func load(
        _ text: String, extraFiles: [String: String] = [:], environment: [String: String] = [:]
    ) -> Result<Config, ConfigError> {
        let path = configFile(text, extraFiles: extraFiles)
        defer { removeTree(ConfigFiles.folder(of: path)) }
        return Result { () throws(ConfigError) -> Config in try Config.load(path: path, environment: environment) }
    }

    /// The error of loading `text`, with the path replaced by `F` (so tests compare `F:3: ...`).
    static func loadError(_ text: String, extraFiles: [String: String] = [:], environment: [String: String] = [:]) -> String? {
        let path = configFile(text, extraFiles: extraFiles)
        defer { removeTree(ConfigFiles.folder(of: path)) }
        do {
            _ = try Config.load(path: path, environment: environment)
            return nil
        } catch {
            #expect(error.file == path)
            return "F:\(error.line): \(error.message)"
        }
    }

    /// A valid minimal source, to which tests add keys.
    static let nonstopaySource = """
        [[sources]]
        name = "pay"
        provider = "nonstopay"
        kind = "payin"
        signature = "hmac-sha256-hex"
        secret = "0123456789abcdef"
        """

    struct ProcessResult {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `argv` (argv[0] is an absolute path) in `directory`, with exactly `environment`;
    /// stdout and stderr are captured through files; waits for the exit status.
    static func run(_ argv: [String], environment: [String: String] = [:], directory: String? = nil) -> ProcessResult {
        let dir = makeTempDirForOutput()
        defer {
            unlink(dir + "/out")
            unlink(dir + "/err")
            rmdir(dir)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, dir + "/out", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, dir + "/err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // posix_spawn_file_actions_addchdir_np is not visible to Swift (it needs _GNU_SOURCE):
        // GNU env -C changes directory, then execs the program.
        let argv = directory.map { ["/usr/bin/env", "-C", $0] + argv } ?? argv
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in cArgs + cEnv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv)
        guard rc == 0 else { return ProcessResult(status: -1, stdout: "", stderr: "posix_spawn: \(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS: the low 7 bits are the signal, the next 8 the exit code.
        let exitCode = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return ProcessResult(status: exitCode, stdout: read(dir + "/out"), stderr: read(dir + "/err"))
    }

    /// Starts `argv` in the background (stdin, stdout, stderr on /dev/null); returns its pid.
    static func spawn(_ argv: [String]) -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=" + toolPath), nil]
        defer { for p in cArgs + cEnv { free(p) } }
        var pid: pid_t = 0
        return posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv) == 0 ? pid : nil
    }

    private static func makeTempDirForOutput() -> String {
        var template = Array("/tmp/payhookd-run-XXXXXX".utf8CString)
        _ = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// PATH for tools run by tests (systemd-analyze, nginx, openssl).
    static let toolPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// The first existing `name` in `toolPath`, or nil.
    static func tool(_ name: String) -> String? {
        toolPath.split(separator: ":").map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }
}

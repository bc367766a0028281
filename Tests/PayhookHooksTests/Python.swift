import Glibc
import TestSupport

/// Runs `python3 -c SCRIPT ARGS...` (python3 from PATH, this process's environment) for checks
/// against independent implementations; returns its exit status and its stdout + stderr.
enum Python {
    static let executable: String? = {
        let path = String(cString: getenv("PATH") ?? strdup("/usr/bin:/bin"))
        return path.split(separator: ":").map { $0 + "/python3" }.first { access($0, X_OK) == 0 }
    }()

    static var available: Bool { executable != nil }

    static func run(_ script: String, _ args: [String]) -> (status: Int32, output: String) {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let out = dir.file("python.out")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = [executable!, "-c", script] + args
        let cargv = argv.map { strdup($0) } + [nil]
        defer { for p in cargv { free(p) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, argv[0], &actions, nil, cargv, environ) == 0 else { return (-1, "spawn failed") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return ((status >> 8) & 0xff, String(decoding: dir.read(out), as: UTF8.self))
    }
}

import CLinuxShim
import Glibc

/// A child process for command hooks: spawned without a shell, with exactly the environment
/// given, an empty signal mask and default signal dispositions, as the leader of its own process
/// group (so a timeout kills what it forked too), and with a pidfd the event loop can poll.
public struct ChildProcess: Sendable {
    public let pid: pid_t
    /// Polls readable (EPOLLIN) once the child exits. Close it with `close()`.
    public let pidfd: Int32

    /// How a child ended.
    public enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
    }

    /// Spawns `argv[0]` (an absolute path) with `environment` (`NAME=value`). Descriptors
    /// `stdin`, `stdout`, `stderr` become the child's 0, 1, 2 (nil: /dev/null); every other
    /// descriptor of payhookd is O_CLOEXEC and does not reach the child.
    /// The corresponding C functions are `posix_spawn` and `pidfd_open`.
    public static func spawn(
        argv: [String], environment: [String], stdin: Int32? = nil, stdout: Int32? = nil, stderr: Int32? = nil
    ) throws(SyscallError) -> ChildProcess {
        precondition(argv.first?.hasPrefix("/") == true, "an absolute program path")
        let cargv = argv.map { strdup($0) } + [nil]
        let cenv = environment.map { strdup($0) } + [nil]
        defer { for p in cargv + cenv { free(p) } }
        var pid: pid_t = 0
        _ = try syscallOrThrow("posix_spawn") { () -> Int32 in
            let rc = cshim_spawn(&pid, argv[0], cargv, cenv, stdin ?? -1, stdout ?? -1, stderr ?? -1)
            if rc != 0 { cshim_set_errno(rc) }
            return rc == 0 ? 0 : -1
        }
        do {
            let fd = try syscallOrThrow("pidfd_open") { cshim_pidfd_open(pid) }
            return ChildProcess(pid: pid, pidfd: fd)
        } catch {
            // Without a pidfd the loop cannot see the exit: do not leave the child running.
            _ = Glibc.kill(-pid, SIGKILL)
            var status: Int32 = 0
            _ = Glibc.waitpid(pid, &status, 0)
            throw error
        }
    }

    /// Sends `signal` to the child's whole process group. Call it before reaping the child: a
    /// reaped leader frees its pid, and the group's id with it once the group is empty. A group
    /// already gone is not an error. The corresponding C function is `kill` with a negative pid.
    public func signalGroup(_ signal: Int32 = SIGKILL) throws(SyscallError) {
        do {
            _ = try syscallOrThrow("kill") { Glibc.kill(-pid, signal) }
        } catch  where error.errno == Errno(ESRCH) {
            return
        }
    }

    /// Reaps the child if it has exited (nil if it still runs); `block` waits for it.
    /// The corresponding C function is `waitpid`.
    public func reap(block: Bool = false) throws(SyscallError) -> Termination? {
        var status: Int32 = 0
        let reaped = try syscallOrThrow("waitpid") { Glibc.waitpid(pid, &status, block ? 0 : WNOHANG) }
        guard reaped == pid else { return nil }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
        return status & 0x7F == 0 ? .exited((status >> 8) & 0xFF) : .signaled(status & 0x7F)
    }

    public func close() { _ = Glibc.close(pidfd) }
}

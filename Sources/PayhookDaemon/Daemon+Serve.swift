import CLinuxShim
import Glibc
import PayhookCore
import PayhookPosix

extension Daemon {
    /// Runs the daemon until SIGTERM/SIGINT; returns the process exit code (0 after a clean
    /// drain, 1 when start-up fails).
    ///
    /// Environment: `NOTIFY_SOCKET`/`WATCHDOG_USEC` (sd_notify), `LISTEN_FDS`/`LISTEN_FDNAMES`
    /// (socket activation), `PAYHOOKD_READY_FILE` (a file written with `role address` lines once
    /// the listeners are open: how tests and scripts learn ports chosen with `:0`).
    public static func serve(config: Config) -> Int32 {
        // Before any thread exists, so that every thread inherits the blocked mask.
        let signals: SignalFD
        do {
            try IO.ignoreSIGPIPE()
            signals = try SignalFD(signals: [SIGTERM, SIGINT, SIGHUP])
        } catch {
            Journal.error("signals: \(error)")
            return 1
        }
        // From here on, a log line never blocks the loop (a stalled journald costs lines only);
        // at the exit, pending lines get a short bound to reach stderr.
        Journal.start(queueBytes: config.server.logQueueBytes, repeatWindowMs: config.server.logRepeatWindowMs)
        defer { Journal.stop(timeoutMs: 1000) }
        let notifier = SystemdNotifier()
        let server: Server
        let runtime: Runtime
        let reloader: Reloader
        do {
            var options = Server.Options(config.server)
            // Hooks add registrations: a connection per attempt in flight, or a command's
            // stdin, output and pidfd.
            options.maxOtherRegistrations += config.hooks.reduce(0) { $0 + 3 * $1.maxInFlight }
            server = try Server(options: options)
            // Recovery first: nothing is accepted before the log is known good.
            notifier.notify("STATUS=recovering the log in \(config.storage.dir)")
            runtime = try Runtime(config: config, server: server)
            // Not joined at exit: a reload may sit on a slow secret file; exiting ends it.
            reloader = try Reloader(started: config, live: runtime.live, executor: server.loop.executor)
            reloader.applyHooks = { [hooks = runtime.hooks] in hooks.apply($0) }
            try openListeners(server, config: config)
        } catch {
            Journal.error("cannot start: \(error)")
            return 1
        }
        server.isReady = { runtime.isWritable }
        server.router = runtime.router(isReady: { [unowned server] in server.isReady() })
        // An fdatasync error is fatal: stop taking events, drain, exit non-zero so that systemd
        // restarts the daemon and recovery re-reads the log (retrying fsync is unsafe).
        var failed = false
        runtime.store.onFatal = { [unowned server] error in
            Journal.error("log: \(error); stopping (recovery will re-read the log at the next start)")
            failed = true
            server.beginShutdown(notifier: notifier)
        }
        var lifecycle = Server.Lifecycle()
        lifecycle.readyFile = environment("PAYHOOKD_READY_FILE")
        lifecycle.reload = { done in reloader.reload(done) }
        lifecycle.drained = { runtime.shutdown() }
        armFaultsFromEnvironment()
        let code = server.run(signals: signals, notifier: notifier, lifecycle: lifecycle)
        return failed ? 1 : code
    }

    /// Inherited sockets (named `ingest`/`admin`) for the roles systemd passed, the configured
    /// addresses for the others. The admin listener refuses a non-loopback address without
    /// `admin_token`.
    static func openListeners(_ server: Server, config: Config) throws {
        var inheritedRoles: Set<ListenerRole> = []
        for (fd, name) in try SocketActivation.inherited() {
            guard let role = ListenerRole(rawValue: name) else {
                throw APIError.internal("socket activation: fd \(fd) is named \"\(name)\", expected ingest or admin (FileDescriptorName=)")
            }
            guard (try? Socket.option(fd, SOL_SOCKET, SO_ACCEPTCONN)) == 1 else {
                throw APIError.internal("socket activation: fd \(fd) (\(name)) is not a listening stream socket")
            }
            try server.adopt(role, fd: fd)
            inheritedRoles.insert(role)
        }
        for (role, addresses) in [(ListenerRole.ingest, config.server.ingest), (.admin, config.server.admin)] where !inheritedRoles.contains(role) {
            for text in addresses {
                let address = try ListenAddress.parse(text)
                if role == .admin, !address.isLocal, config.server.adminToken == nil {
                    throw APIError.internal("admin listener \(text) is not loopback and admin_token is not set")
                }
                try server.listen(role, on: address)
            }
        }
    }
}

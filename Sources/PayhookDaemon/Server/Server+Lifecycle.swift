import CLinuxShim
import Glibc
import PayhookPosix

extension Server {
    /// What the running server tells systemd and how it reacts to control signals.
    public struct Lifecycle {
        /// SIGHUP: re-read the configuration off the loop; calls its argument on the loop with
        /// an error message (the old configuration stays) or nil once the new one applies.
        public var reload: (_ done: @escaping (_ problem: String?) -> Void) -> Void = { $0(nil) }
        /// Runs once the connections have drained (or the shutdown deadline passed), before
        /// `run` returns: flush the log, persist hook progress.
        public var drained: () -> Void = {}
        /// Written with `role address` lines once every listener is open (tests, scripts).
        public var readyFile: String? = nil
        public init() {}
    }

    /// Serves until SIGTERM/SIGINT and the drain that follows; returns the exit code.
    /// `signals` must have been created before any other thread started (see `SignalFD`).
    public func run(signals: SignalFD, notifier: SystemdNotifier, lifecycle: Lifecycle) -> Int32 {
        let control = SignalHandler(signals: signals, server: self, notifier: notifier, lifecycle: lifecycle)
        do {
            control.registration = try loop.register(fd: signals.fd, interest: .readable, handler: control)
        } catch {
            Journal.error("signalfd registration: \(error)")
            return 1
        }
        announceReady(notifier: notifier, lifecycle: lifecycle)
        startWatchdog(notifier)
        do {
            try loop.run()
        } catch {
            Journal.error("event loop: \(error)")
            return 1
        }
        lifecycle.drained()
        loop.deregister(control.registration!)
        Journal.info("stopped")
        return 0
    }

    private func announceReady(notifier: SystemdNotifier, lifecycle: Lifecycle) {
        let lines = boundAddresses.map { "\($0.role.rawValue) \($0.address)" }
        for line in lines { Journal.info("listening: \(line)") }
        if let path = lifecycle.readyFile {
            do {
                try IO.replaceFile(path, with: Array((lines.joined(separator: "\n") + "\n").utf8))
            } catch {
                Journal.error("ready file \(path): \(error)")
            }
        }
        notifier.notify("READY=1\nSTATUS=serving on \(lines.joined(separator: ", "))")
    }

    /// Sends WATCHDOG=1 at half the period systemd asked for, from the loop itself, so a stuck
    /// loop stops the pings and systemd restarts the daemon.
    private func startWatchdog(_ notifier: SystemdNotifier) {
        guard let interval = notifier.watchdogIntervalMs, interval > 0 else { return }
        let period = max(interval / 2, 1)
        var timer: TimerID? = nil
        timer = loop.makeTimer { [unowned self] in
            notifier.notify("WATCHDOG=1")
            if let timer { self.loop.schedule(timer, afterMs: period) }
        }
        loop.schedule(timer!, afterMs: period)
        notifier.notify("WATCHDOG=1")
    }

    /// SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close idle connections,
    /// stop the loop when none is left or after `shutdownTimeoutMs`.
    public func beginShutdown(notifier: SystemdNotifier) {
        guard !isDraining else { return }
        isDraining = true
        notifier.notify("STOPPING=1\nSTATUS=draining \(connectionCount) connections")
        Journal.info("shutting down: draining \(connectionCount) connections")
        for listener in listeners { listener.close(loop: loop) }
        listeners.removeAll()
        let deadline = loop.makeTimer { [unowned self] in
            Journal.warning("shutdown deadline passed with \(self.connectionCount) connections open; closing them")
            self.loop.stop()
        }
        loop.schedule(deadline, afterMs: options.shutdownTimeoutMs)
        for connection in connections { connection?.drain() }
        checkDrained()
    }

    func checkDrained() {
        if connectionCount == 0 { loop.stop() }
    }
}

/// Reads the signalfd on the loop: SIGTERM/SIGINT drain, SIGHUP reloads.
final class SignalHandler: EventHandler {
    let signals: SignalFD
    unowned let server: Server
    let notifier: SystemdNotifier
    let lifecycle: Server.Lifecycle
    var registration: Registration?

    init(signals: SignalFD, server: Server, notifier: SystemdNotifier, lifecycle: Server.Lifecycle) {
        self.signals = signals
        self.server = server
        self.notifier = notifier
        self.lifecycle = lifecycle
    }

    func handle(_ events: IOEvents, loop: EventLoop) {
        while let (signal, sender) = signals.next() {
            let name = signal == SIGTERM ? "SIGTERM" : signal == SIGINT ? "SIGINT" : signal == SIGHUP ? "SIGHUP" : "signal \(signal)"
            Journal.info("\(name) from pid \(sender)")
            switch signal {
            case SIGTERM, SIGINT:
                server.beginShutdown(notifier: notifier)
            case SIGHUP:
                notifier.notify("RELOADING=1")
                lifecycle.reload { [notifier] problem in
                    if let problem {
                        Journal.error("reload refused, keeping the running configuration: \(problem)")
                    } else {
                        Journal.info("configuration reloaded")
                    }
                    notifier.notify("READY=1")
                }
            default:
                break
            }
        }
    }
}

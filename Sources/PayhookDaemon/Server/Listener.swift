import CLinuxShim
import PayhookPosix

/// A listening socket on the loop: accepts until the kernel queue is empty, hands each new
/// socket to the server, and backs off on EMFILE/ENFILE (the pending connection stays queued and
/// is accepted once fds are free again, while existing connections keep being served).
final class Listener: EventHandler {
    let fd: Int32
    let role: ListenerRole
    /// The bound address (real port after binding port 0).
    let address: SocketAddress
    /// A unix socket file this process created (removed at shutdown); nil for inherited ones.
    let unixPathToRemove: String?
    var registration: Registration?
    unowned let server: Server
    private var backoffTimer: TimerID?

    /// Connections accepted per readiness event at most, so a flood on one listener does not
    /// starve the others within one loop turn. Default 64.
    static let maxAcceptsPerEvent = 64

    init(fd: Int32, role: ListenerRole, unixPathToRemove: String?, server: Server) throws(SyscallError) {
        self.fd = fd
        self.role = role
        self.address = try Socket.localAddress(fd)
        self.unixPathToRemove = unixPathToRemove
        self.server = server
    }

    func handle(_ events: IOEvents, loop: EventLoop) {
        for _ in 0..<Self.maxAcceptsPerEvent {
            do {
                guard let (conn, peer) = try Socket.accept(fd) else { return }
                server.accepted(fd: conn, peer: peer, role: role)
            } catch {
                if error.errno == .tooManyFiles || error.errno == .tooManyFilesSystem {
                    Journal.warning("\(role) listener: \(error); pausing accepts for \(server.options.acceptBackoffMs) ms")
                    pause(loop: loop)
                } else {
                    Journal.error("\(role) listener: \(error)")
                }
                return
            }
        }
    }

    private func pause(loop: EventLoop) {
        guard let registration else { return }
        try? loop.modify(registration, interest: [])
        let timer =
            backoffTimer
            ?? loop.makeTimer { [weak self] in
                guard let self, let registration = self.registration else { return }
                try? self.server.loop.modify(registration, interest: .readable)
            }
        backoffTimer = timer
        loop.schedule(timer, afterMs: server.options.acceptBackoffMs)
    }

    /// Stops listening: deregisters, closes, removes the unix socket file it created.
    func close(loop: EventLoop) {
        if let backoffTimer { loop.releaseTimer(backoffTimer) }
        backoffTimer = nil
        if let registration { loop.deregister(registration) }
        registration = nil
        IO.close(fd)
        if let path = unixPathToRemove { IO.unlink(path) }
    }
}

import CLinuxShim
import PayhookHTTP1
import PayhookHTTP2
import PayhookPosix

/// The HTTP/1.1 server: listeners and connections on one `EventLoop`, routes by listener,
/// connection limits per listener, graceful shutdown (see `Server+Lifecycle`).
public final class Server {
    /// The `[server]` limits (same names as the keys; defaults and ranges in the table of
    /// settings, `Settings+Server.swift`) and a few internal bounds.
    public struct Options: Sendable {
        public var connection: ConnectionLimits
        /// Open connections at most over all listeners.
        public var maxConnections: Int
        /// Connections only the admin listener may use: ingest stops at `maxConnections` minus
        /// this, so an ingest flood never locks operators out.
        public var adminReserveConnections: Int
        /// Connections the admin listener holds at most, so idle admin clients never lock ingest
        /// out: ingest always keeps `maxConnections` minus this.
        public var maxAdminConnections: Int
        /// When the admin listener needs a token: an admin connection is closed this long after
        /// it was accepted unless a request with the valid token came first, so tokenless
        /// clients cannot sit on the admin share.
        public var adminUnauthenticatedTimeoutMs: Int64
        /// Request body bytes at most (413 above).
        public var maxBodyBytes: Int
        public var maxRequestLineBytes: Int
        public var maxHeaderBytes: Int
        public var maxHeaderCount: Int
        public var maxTrailerBytes: Int
        public var maxChunkExtensionBytes: Int
        /// Time a client may leave our answer bytes unread (no byte accepted by its socket)
        /// before the connection is closed.
        public var sendTimeoutMs: Int64
        /// Time SIGTERM waits for in-flight requests before closing them.
        public var shutdownTimeoutMs: Int64
        /// Pause after EMFILE/ENFILE before accepting again. Default 100 ms.
        public var acceptBackoffMs: Int64 = 100
        /// After a connection's last answer, unread input is drained this long before closing,
        /// so the close does not reset the connection and destroy the answer in flight
        /// ("lingering close"). Default 2 s.
        public var lingerMs: Int64 = 2000
        /// Fds the loop watches besides client connections: listeners, the signalfd, outbound
        /// hook deliveries. Sizes the loop's fixed table with `maxConnections`. Default 256.
        public var maxOtherRegistrations = 256
        /// HTTP/2 connections' limits: the `[server] h2_*` keys (`maxBodyBytes` is taken from the
        /// field above).
        public var h2 = H2Limits()

        /// The server's limits from `[server]`; without one, the table's defaults.
        public init(_ s: Config.Server = Config.Server()) {
            connection = ConnectionLimits(s)
            maxConnections = s.maxConnections
            adminReserveConnections = s.adminReserveConnections
            maxAdminConnections = s.maxAdminConnections
            adminUnauthenticatedTimeoutMs = Int64(s.adminUnauthenticatedTimeoutMs)
            maxBodyBytes = s.maxBodyBytes
            maxRequestLineBytes = s.maxRequestLineBytes
            maxHeaderBytes = s.maxHeaderBytes
            maxHeaderCount = s.maxHeaderCount
            maxTrailerBytes = s.maxTrailerBytes
            maxChunkExtensionBytes = s.maxChunkExtensionBytes
            sendTimeoutMs = Int64(s.sendTimeoutMs)
            shutdownTimeoutMs = Int64(s.shutdownTimeoutMs)
            h2.maxConcurrentStreams = s.h2MaxConcurrentStreams
            h2.maxHeaderListBytes = s.h2MaxHeaderListBytes
            h2.connectionWindowBytes = s.h2ConnectionWindowBytes
            h2.streamWindowBytes = s.h2StreamWindowBytes
            h2.maxResetsPerSecond = s.h2MaxResetsPerSecond
            h2.maxControlFramesPerSecond = s.h2MaxControlFramesPerSecond
        }
    }

    public let options: Options
    public let loop: EventLoop
    /// Routes per listener; replace or extend before `run`.
    public var router = Router()
    /// Request, latency and HTTP/2 stream counts for /metrics.
    public let stats = ServerStats()
    /// Answers `/readyz`: true after start while the log is writable (wired by the daemon).
    public var isReady: () -> Bool = { true }
    var listeners: [Listener] = []
    /// The fixed connection table, indexed by the loop registration slot.
    var connections: [Connection?]
    var openCount: [ListenerRole: Int] = [.ingest: 0, .admin: 0]
    var isDraining = false
    /// A buffer every read goes into before the parser sees it (one per loop: one thread).
    @exclusivity(unchecked) var scratch = [UInt8](repeating: 0, count: 65_536)

    private var dateSecond: Int64 = -1
    private var dateCheckAtMs: Int64 = .min
    private var dateText = ""
    /// The `Date` value for this second: the wall clock is read at most every 100 ms of the
    /// loop clock, and the text formatted once per second.
    var httpDate: String {
        guard loop.nowMs >= dateCheckAtMs else { return dateText }
        dateCheckAtMs = loop.nowMs + 100
        let second = cshim_realtime_ms() / 1000
        if second != dateSecond {
            dateSecond = second
            dateText = HTTP1Date.imfFixdate(unixSeconds: second)
        }
        return dateText
    }

    public init(options: Options) throws(SyscallError) {
        precondition(options.adminReserveConnections >= 0 && options.maxConnections > options.adminReserveConnections)
        precondition(options.maxAdminConnections >= 1 && options.maxConnections > options.maxAdminConnections)
        self.options = options
        let capacity = options.maxConnections + options.maxOtherRegistrations
        loop = try EventLoop(capacity: capacity)
        connections = Array(repeating: nil, count: capacity)
    }

    /// Open connections by listener and protocol (HTTP/1.1 until a connection chose HTTP/2).
    public func openConnections(_ role: ListenerRole, _ proto: ServerStats.WireProtocol) -> Int {
        connections.reduce(0) { n, c in
            guard let c, c.role == role else { return n }
            return n + ((c.h2 == nil) == (proto == .http1) ? 1 : 0)
        }
    }

    /// Connections open now, over both listeners.
    public var connectionCount: Int { openCount.values.reduce(0, +) }

    /// Binds `address` for `role` and starts accepting. Returns the bound address (with the real
    /// port when `address` asked for port 0).
    @discardableResult
    public func listen(_ role: ListenerRole, on address: ListenAddress) throws -> SocketAddress {
        let fd = try Socket.listen(address)
        var path: String? = nil
        if case .unix(let p) = address { path = p }
        return try adopt(role, fd: fd, unixPathToRemove: path)
    }

    /// Accepts on an already listening socket (systemd socket activation).
    @discardableResult
    public func adopt(_ role: ListenerRole, fd: Int32, unixPathToRemove: String? = nil) throws -> SocketAddress {
        let listener = try Listener(fd: fd, role: role, unixPathToRemove: unixPathToRemove, server: self)
        listener.registration = try loop.register(fd: fd, interest: .readable, handler: listener)
        listeners.append(listener)
        return listener.address
    }

    /// The addresses being listened on, per role (for logs and the ready file).
    public var boundAddresses: [(role: ListenerRole, address: String)] {
        listeners.map { ($0.role, $0.address.description) }
    }

    /// Connections `role`'s listener may hold: each role has its own bound and leaves the other
    /// a share of `maxConnections` (ingest the reserve to admin, admin the rest to ingest).
    func connectionLimit(_ role: ListenerRole) -> Int {
        switch role {
        case .ingest: options.maxConnections - options.adminReserveConnections
        case .admin: options.maxAdminConnections
        }
    }

    /// A new socket from `role`'s listener: refused above its role's bound or the total,
    /// registered otherwise.
    func accepted(fd: Int32, peer: SocketAddress, role: ListenerRole) {
        let withinRole = openCount[role, default: 0] < connectionLimit(role)
        guard !isDraining, withinRole, connectionCount < options.maxConnections else {
            refuse(fd)
            return
        }
        if peer.family != AF_UNIX {
            // Answers go out in one write; without this, Nagle could hold a second small write
            // (the final answer after a 100 Continue) for a delayed ACK.
            try? Socket.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        }
        let connection = Connection(fd: fd, role: role, peer: peer.host, server: self)
        do {
            let reg = try loop.register(fd: fd, interest: .readable, handler: connection)
            connection.start(registration: reg)
            connections[Int(reg.slot)] = connection
            openCount[role, default: 0] += 1
        } catch {
            Journal.error("registering a connection: \(error)")
            IO.close(fd)
        }
    }

    /// Over the limit: a best-effort 503 and close, so the client learns why at once instead
    /// of waiting in the kernel's queue.
    private func refuse(_ fd: Int32) {
        let bytes = ResponseEncoder.encode(APIError.tooManyConnections.response, headRequest: false, close: true, date: httpDate)
        _ = bytes.withUnsafeBytes { try? IO.write(fd, from: $0) }
        IO.shutdownWrite(fd)
        IO.close(fd)
    }

    /// A connection closed its socket: frees its table entry.
    func closed(_ connection: Connection, registration: Registration) {
        connections[Int(registration.slot)] = nil
        openCount[connection.role, default: 1] -= 1
        if isDraining { checkDrained() }
    }
}

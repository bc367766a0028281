import Glibc
import PayhookNATS
import Testing

/// A real `nats-server -js` (Debian's `nats-server`) on a free loopback port with its own store
/// folder, started and stopped by the test; `restart` keeps the port and the store.
final class NATSServer {
    static let binary = "/usr/sbin/nats-server"
    let port: UInt16
    let dir: String
    let extraArgs: [String]
    private(set) var pid: pid_t = 0

    var url: String { "nats://127.0.0.1:\(port)" }

    init(extraArgs: [String] = []) throws {
        try #require(access(Self.binary, X_OK) == 0, "nats-server missing: make test installs Debian's nats-server")
        port = try HookReceiver.freePort()
        dir = DaemonProcess.makeTempDir()
        self.extraArgs = extraArgs
        try start()
    }

    func start() throws {
        pid = try DaemonProcess.spawn(
            [Self.binary, "-js", "-a", "127.0.0.1", "-p", "\(port)", "-sd", dir + "/store"] + extraArgs, env: [:],
            stderrPath: dir + "/stderr", stdoutPath: dir + "/stdout")
        // Ready once the port accepts a connection.
        for _ in 0..<500 {
            if Self.accepts(port) { return }
            usleep(20_000)
        }
        Issue.record("nats-server on \(port) did not start: \((try? DaemonProcess.readFile(dir + "/stderr")) ?? "")")
    }

    /// Throwaway CA, server and client certificates and an NKey user in a new folder
    /// (`Tests/Fixtures/nats/make-credentials.sh`: openssl and python3).
    static func makeCredentials() throws -> String {
        let dir = DaemonProcess.makeTempDir()
        let script = FixtureCase.folder + "/nats/make-credentials.sh"
        let pid = try DaemonProcess.spawn(["/bin/sh", script, dir], env: ["PATH": "/usr/bin:/bin"], stderrPath: dir + "/make.err")
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        try #require(status == 0, "make-credentials.sh: \((try? DaemonProcess.readFile(dir + "/make.err")) ?? "")")
        return dir
    }

    /// Stops the server (SIGTERM, then waits for it).
    func stop() {
        guard pid > 0 else { return }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        pid = 0
    }

    static func accepts(_ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } == 0
        }
    }

    /// Every message of `stream`, read through NATS.c's direct get (independent of payhookd's
    /// publish path; throws when the stream does not exist).
    func messages(_ stream: String, user: String? = nil, password: String? = nil, configure: (inout NATSConnectOptions) -> Void = { _ in })
        throws -> [NATSStreamMessage]
    {
        var options = NATSConnectOptions(urls: [url])
        options.user = user
        options.password = password
        configure(&options)
        let client = try NATSClient(options) { _, _ in }
        defer { client.close() }
        return try client.messages(of: stream)
    }
}

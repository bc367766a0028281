import CLinuxShim
import Glibc
import Testing

@testable import PayhookDaemon

/// config/nginx/payhookd.conf: valid for nginx, proxies only /hooks/ to the ingest listener.
@Suite struct SystemdNginxTests {
    typealias S = ConfigTestSupport
    static let nginx = S.tool("nginx")
    static let openssl = S.tool("openssl")
    static var conf: String { S.read(S.repoRoot + "/config/nginx/payhookd.conf") }

    /// A wrapper nginx.conf in `dir` that includes `serverBlock` from the http context.
    static func wrapper(dir: String, serverBlock: String) -> String {
        S.write(dir + "/payhookd.conf", serverBlock)
        let text = """
            pid \(dir)/nginx.pid;
            error_log \(dir)/error.log;
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path \(dir)/body;
                proxy_temp_path \(dir)/proxy;
                fastcgi_temp_path \(dir)/fastcgi;
                uwsgi_temp_path \(dir)/uwsgi;
                scgi_temp_path \(dir)/scgi;
                include \(dir)/payhookd.conf;
            }
            """
        S.write(dir + "/nginx.conf", text)
        return dir + "/nginx.conf"
    }

    @Test(
        "nginx -t accepts the server block included from a wrapper (test certificate swapped in)",
        .enabled(if: nginx != nil && openssl != nil, "nginx or openssl is not installed"))
    func nginxSyntax() throws {
        let dir = S.makeTempDir()
        defer { S.removeTree(dir) }
        let cert = S.run(
            [
                Self.openssl!, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/key.pem",
                "-out", dir + "/cert.pem", "-days", "1", "-subj", "/CN=payhookd-test",
            ], environment: ["PATH": S.toolPath])
        try #require(cert.status == 0, "\(cert.stderr)")
        let block = Self.conf.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if line.contains("ssl_certificate_key ") { return "    ssl_certificate_key \(dir)/key.pem;" }
            if line.contains("ssl_certificate ") { return "    ssl_certificate \(dir)/cert.pem;" }
            return String(line)
        }.joined(separator: "\n")
        let r = S.run(
            [Self.nginx!, "-t", "-q", "-e", dir + "/error.log", "-p", dir, "-c", Self.wrapper(dir: dir, serverBlock: block)],
            environment: ["PATH": S.toolPath])
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test("the block proxies /hooks/ to the default ingest address with HTTP/1.1, X-Real-IP and the body limit")
    func contents() {
        let lines = Self.conf.split(separator: "\n").map { $0.trimmingPrefix(while: { $0 == " " }) }.filter { !$0.hasPrefix("#") }
        #expect(lines.filter { $0.hasPrefix("location ") } == ["location /hooks/ {", "location = /hooks {", "location / {"])
        #expect(lines.contains("server \(Config.Server().ingest[0]);"))
        #expect(lines.contains("proxy_http_version 1.1;"))
        #expect(lines.contains("proxy_set_header X-Real-IP $remote_addr;"))
        #expect(lines.contains("client_max_body_size 1m;"))
        #expect(Config.Server().maxBodyBytes == 1 << 20)
        #expect(lines.contains("return 404;"))
        #expect(!lines.contains { $0.contains("8481") })
    }

    @Test(
        "a running nginx forwards only /hooks/ (body and client address intact); all else is 404",
        .enabled(if: nginx != nil, "nginx is not installed"))
    func liveRouting() throws {
        let dir = S.makeTempDir()
        defer { S.removeTree(dir) }
        let upstream = try #require(TCP.listen())
        defer { close(upstream.fd) }
        let port = try #require(TCP.freePort())
        // Plain HTTP on a test port instead of TLS on 443; the upstream is the fake listener.
        let block = Self.conf.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line -> String? in
            let t = line.trimmingPrefix(while: { $0 == " " })
            if t.hasPrefix("listen [::]") || t.hasPrefix("ssl_") || t.hasPrefix("http2 ") { return nil }
            if t.hasPrefix("listen ") { return "    listen 127.0.0.1:\(port);" }
            if t.hasPrefix("server 127.0.0.1:8480;") { return "    server 127.0.0.1:\(upstream.port);" }
            return String(line)
        }.joined(separator: "\n")
        let nginxPID = try #require(
            S.spawn([Self.nginx!, "-e", dir + "/error.log", "-p", dir, "-c", Self.wrapper(dir: dir, serverBlock: block), "-g", "daemon off;"]))
        defer {
            kill(nginxPID, SIGTERM)
            var s: Int32 = 0
            waitpid(nginxPID, &s, 0)
        }
        try #require(TCP.waitForListener(port: port), "nginx did not start: \(S.read(dir + "/error.log"))")

        let body = #"{"event":"order.created","order_id":5555555}"#
        let answer = TCP.exchange(
            port: port,
            request:
                "POST /hooks/noventiq HTTP/1.1\r\nHost: hooks.example.com\r\nContent-Type: application/json\r\nX-Real-IP: 6.6.6.6\r\nX-Forwarded-For: 6.6.6.6\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)",
            upstream: upstream.fd)
        #expect(answer.response.hasPrefix("HTTP/1.1 200"))
        let forwarded = answer.upstreamRequest
        #expect(forwarded.hasPrefix("POST /hooks/noventiq HTTP/1.1\r\n"))
        #expect(forwarded.contains("\r\nX-Real-IP: 127.0.0.1\r\n"))
        #expect(forwarded.contains("\r\nX-Forwarded-For: 127.0.0.1\r\n"))
        #expect(!forwarded.contains("6.6.6.6"))
        #expect(forwarded.hasSuffix("\r\n\r\n" + body))

        for path in ["/healthz", "/readyz", "/metrics", "/v1/payments/noventiq/5555555", "/v1/hooks", "/hooks", "/hooks/../v1/events", "/"] {
            let r = TCP.exchange(port: port, request: "GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", upstream: upstream.fd)
            #expect(r.response.hasPrefix("HTTP/1.1 404"), "\(path): \(r.response.prefix(40))")
            #expect(r.upstreamRequest.isEmpty, "\(path) reached the ingest listener")
        }
        let big = TCP.exchange(
            port: port, request: "POST /hooks/noventiq HTTP/1.1\r\nHost: x\r\nContent-Length: \((1 << 20) + 1)\r\nConnection: close\r\n\r\n",
            upstream: upstream.fd)
        #expect(big.response.hasPrefix("HTTP/1.1 413"))
        #expect(big.upstreamRequest.isEmpty)
    }
}

/// Minimal blocking TCP for the nginx test: a fake upstream and a client, with timeouts.
enum TCP {
    static func socketFD() -> Int32 { socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }

    static func address(port: UInt16) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = port.bigEndian
        a.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return a
    }

    static func withAddress<T>(_ port: UInt16, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        var a = address(port: port)
        return withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    /// A non-blocking listener on 127.0.0.1 with a kernel-chosen port.
    static func listen() -> (fd: Int32, port: UInt16)? {
        let fd = socketFD()
        guard fd >= 0, withAddress(0, { bind(fd, $0, $1) }) == 0, Glibc.listen(fd, 16) == 0 else { return nil }
        _ = fcntl(fd, F_SETFL, O_NONBLOCK)
        var a = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return (fd, UInt16(bigEndian: a.sin_port))
    }

    static func freePort() -> UInt16? {
        guard let l = listen() else { return nil }
        close(l.fd)
        return l.port
    }

    static func connect(port: UInt16) -> Int32? {
        let fd = socketFD()
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard withAddress(port, { Glibc.connect(fd, $0, $1) }) == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    static func waitForListener(port: UInt16) -> Bool {
        for _ in 0..<100 {
            if let fd = connect(port: port) {
                close(fd)
                return true
            }
            usleep(50_000)
        }
        return false
    }

    static func send(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            bytes = bytes.dropFirst(n)
        }
    }

    static func receive(_ fd: Int32, until done: (String) -> Bool) -> String {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !done(String(decoding: out, as: UTF8.self)) {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Sends `request` to nginx; if nginx connects to the upstream within 1 s, reads the proxied
    /// request there and answers 200 `ok`. Returns nginx's response and what the upstream saw.
    static func exchange(port: UInt16, request: String, upstream: Int32) -> (response: String, upstreamRequest: String) {
        guard let client = connect(port: port) else { return ("", "") }
        defer { close(client) }
        send(client, request)
        var seen = ""
        // Whichever comes first: nginx connecting upstream, or nginx answering by itself.
        var pollers = [pollfd(fd: upstream, events: Int16(POLLIN), revents: 0), pollfd(fd: client, events: Int16(POLLIN), revents: 0)]
        _ = poll(&pollers, 2, 5000)
        if pollers[0].revents != 0 {
            let conn = accept(upstream, nil, nil)
            if conn >= 0 {
                var timeout = timeval(tv_sec: 5, tv_usec: 0)
                setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                seen = receive(conn) { text in
                    guard let end = text.firstRange(of: "\r\n\r\n") else { return false }
                    let head = text[..<end.lowerBound].lowercased()
                    guard let cl = head.firstRange(of: "content-length: ") else { return true }
                    let length = Int(head[cl.upperBound...].prefix { $0.isNumber }) ?? 0
                    return text.utf8.count - text[..<end.upperBound].utf8.count >= length
                }
                send(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\nok")
                close(conn)
            }
        }
        let response = receive(client) { $0.contains("\r\n\r\n") }
        return (response, seen)
    }
}

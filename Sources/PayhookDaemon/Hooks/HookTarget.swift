import PayhookHooks
import PayhookPosix

/// Where an HTTP hook connects and what it puts in the request line, from a validated `url`
/// (`ConfigAddresses.hookURL` checked it at load: loopback or a unix socket only).
struct HookTarget: Sendable, Equatable {
    var address: ListenAddress
    var request: HookRequest.Target

    /// `http://127.0.0.1:9000/path`, `http://[::1]:9000/path`, `http://localhost/path` (port 80
    /// by default) or `unix:/run/app.sock:/path` (Host `localhost`).
    init?(url: String) {
        if url.hasPrefix("unix:") {
            let rest = url.dropFirst(5)
            guard let split = rest.firstRange(of: ":/") else { return nil }
            address = .unix(path: String(rest[..<split.lowerBound]))
            request = HookRequest.Target(host: "localhost", path: String(rest[rest.index(after: split.lowerBound)...]))
            return
        }
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst(7)
        let authority = String(rest.prefix { $0 != "/" })
        let path = String(rest.dropFirst(authority.count))
        let hasPort = authority.hasPrefix("[") ? authority.contains("]:") : authority.contains(":")
        guard !path.isEmpty, let parsed = try? ListenAddress.parse(hasPort ? authority : authority + ":80") else { return nil }
        address = parsed
        request = HookRequest.Target(host: authority, path: path)
    }

    /// The target as shown in `/v1/hooks` (a url has no secrets; the path stays).
    var description: String {
        if case .unix(let path) = address { return "unix:\(path):\(request.path)" }
        return "http://\(request.host)\(request.path)"
    }
}

// [server] and [storage].

extension ConfigDecoder {
    /// `[server]`: the rows of `Settings.server`, then the rules that tie keys together.
    func server(_ table: ConfigTable?, _ context: ConfigDecodeContext) throws(ConfigError) -> Config.Server {
        var server = Config.Server()
        guard let t = table else { return server }
        try Settings.server.decode(into: &server, t, context)
        if server.adminReserveConnections >= server.maxConnections {
            throw t.error(
                t.line(of: "admin_reserve_connections"),
                "admin_reserve_connections (\(server.adminReserveConnections)) must be below max_connections (\(server.maxConnections))")
        }
        try adminShare(&server, t)
        try h2WindowHoldsABody(&server, t)
        let ingest = try listeners(t, "ingest") ?? []
        let admin = try listeners(t, "admin") ?? []
        var seen: [String: Int] = [:]
        // Port 0 asks the kernel for a free port at each bind, so it never collides.
        for address in ingest + admin where !address.text.hasSuffix(":0") {
            if let first = seen[address.text] {
                throw t.error(address.line, "`\(address.text)` is listed twice (first at line \(first)): each address is bound once")
            }
            seen[address.text] = address.line
        }
        for address in admin {
            if !address.isLocal && server.adminToken == nil {
                throw t.error(
                    address.line,
                    "admin address `\(address.text)` is not loopback: set admin_token_file (or admin_token), or listen on 127.0.0.1, [::1] or a unix socket"
                )
            }
        }
        return server
    }

    /// `trusted_proxies`, normalized, with a warning for a block that trusts every peer.
    func trustedProxies(_ server: inout Config.Server, _ t: ConfigTable, _ context: ConfigDecodeContext) throws(ConfigError) {
        guard let proxies = try t.strings("trusted_proxies") else { return }
        server.trustedProxies = try blocks(proxies, key: "trusted_proxies", in: t)
        for (text, line) in proxies where IPBlock(parsing: text)?.prefixLength == 0 {
            context.warnings.append(
                ConfigWarning(
                    file: file, line: line,
                    message: "trusted_proxies `\(text)` trusts every peer: any client can choose its X-Real-IP and pass allow_from"))
        }
    }

    /// The admin listener's bound must leave ingest a share of `max_connections`. Unset, it is
    /// 256 or half of `max_connections`, whichever is smaller (small test configs keep loading).
    private func adminShare(_ server: inout Config.Server, _ t: ConfigTable) throws(ConfigError) {
        guard t.table["max_admin_connections"] != nil else {
            server.maxAdminConnections = min(server.maxAdminConnections, max(1, server.maxConnections / 2))
            return
        }
        if server.maxAdminConnections >= server.maxConnections {
            throw t.error(
                t.line(of: "max_admin_connections"),
                "max_admin_connections (\(server.maxAdminConnections)) must be below max_connections (\(server.maxConnections)): ingest keeps the rest"
            )
        }
    }

    /// An HTTP/2 connection gives its window back only as bodies leave, so a body larger than
    /// `h2_connection_window_bytes` could never finish (408 after `body_timeout_ms`). Unset, the
    /// window grows to `max_body_bytes`; set below it, the file is refused.
    private func h2WindowHoldsABody(_ server: inout Config.Server, _ t: ConfigTable) throws(ConfigError) {
        guard t.table["h2_connection_window_bytes"] != nil else {
            server.h2ConnectionWindowBytes = max(server.h2ConnectionWindowBytes, server.maxBodyBytes)
            return
        }
        if server.h2ConnectionWindowBytes < server.maxBodyBytes {
            throw t.error(
                t.line(of: "h2_connection_window_bytes"),
                "h2_connection_window_bytes (\(server.h2ConnectionWindowBytes)) must be at least max_body_bytes (\(server.maxBodyBytes)): a larger body could never finish over HTTP/2"
            )
        }
    }

    struct Listener {
        let text: String
        let line: Int
        let isLocal: Bool
    }

    func listeners(_ t: ConfigTable, _ key: String) throws(ConfigError) -> [Listener]? {
        guard let list = try t.strings(key) else { return nil }
        if list.isEmpty { throw t.error(t.line(of: key), "`\(key)` needs at least one address") }
        var out: [Listener] = []
        for (text, line) in list {
            switch ConfigAddresses.listen(text) {
            case .success(let isLocal): out.append(Listener(text: text, line: line, isLocal: isLocal))
            case .failure(let invalid):
                throw t.error(line, "invalid \(key) address `\(text)`: \(invalid.reason) (expected HOST:PORT, [V6]:PORT or unix:/path)")
            }
        }
        return out
    }

    /// Addresses or CIDR blocks, normalized (`10.0.0.0/8`, `::1`).
    func blocks(_ list: [(value: String, line: Int)], key: String, in t: ConfigTable) throws(ConfigError) -> [String] {
        var out: [String] = []
        for (text, line) in list {
            guard let block = IPBlock(parsing: text) else {
                throw t.error(
                    line, "invalid address or CIDR block `\(text)` in `\(key)` (e.g. 203.0.113.0/24, 2001:db8::/32; host bits must be zero)")
            }
            out.append(block.description)
        }
        return out
    }

    func adminToken(_ t: ConfigTable) throws(ConfigError) -> String? {
        let literal = try t.string("admin_token")
        let file = try t.string("admin_token_file")
        if literal != nil && file != nil {
            throw t.error(t.line(of: "admin_token"), "set either admin_token or admin_token_file, not both")
        }
        var token: [UInt8]
        let line: Int
        if let (value, l) = literal {
            token = Array(value.utf8)
            line = l
        } else if let (name, l) = file {
            token = try readSecret(name, line: l, in: t)
            line = l
        } else {
            return nil
        }
        let limit = ConfigLimits.adminTokenBytes
        guard token.count >= limit.min, token.count <= limit.max else {
            throw t.error(line, "the admin token must be \(limit.min) to \(limit.max) bytes long")
        }
        guard token.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw t.error(line, "the admin token must be printable ASCII without spaces (it goes in an HTTP header)")
        }
        return String(decoding: token, as: UTF8.self)
    }

    func storage(_ table: ConfigTable?, _ context: ConfigDecodeContext) throws(ConfigError) -> Config.Storage {
        var storage = Config.Storage()
        storage.dir = ConfigFiles.resolve(storage.dir, against: ConfigFiles.folder(of: file))
        guard let t = table else { return storage }
        try Settings.storage.decode(into: &storage, t, context)
        return storage
    }
}

/// Loading: file → TOML (with lines) → validated `Config`.
///
/// Relative paths in the config resolve against the config file's folder, never the current
/// directory (systemd starts services in `/`): `storage.dir`, `secret_file`, `admin_token_file`,
/// `signing_secret_file`. Relative secret files are looked up in `$CREDENTIALS_DIRECTORY` first.
extension Config {
    /// Where `serve` and `check-config` look without `--config`.
    public static let defaultPath = "/etc/payhookd/payhookd.toml"

    /// Reads, parses and validates the config at `path`. `environment` supplies
    /// `CREDENTIALS_DIRECTORY` (systemd `LoadCredential=`). Every failure is a `ConfigError`
    /// whose description is `file:line: message`.
    public static func load(path: String, environment: [String: String]) throws(ConfigError) -> Config {
        try load(path: path, environment: environment, limits: ConfigLoadLimits())
    }

    /// `load(path:environment:)` with explicit loading bounds.
    public static func load(
        path: String, environment: [String: String], limits: ConfigLoadLimits
    ) throws(ConfigError) -> Config {
        let bytes: [UInt8]
        do {
            bytes = try ConfigFiles.read(path, maxBytes: limits.toml.maxDocumentBytes)
        } catch {
            throw ConfigError(file: path, line: 0, message: "cannot read config: \(error.message)")
        }
        return try parse(bytes, path: path, environment: environment, limits: limits)
    }

    /// Parses and validates config text already read; `path` names it in messages and anchors
    /// relative paths.
    public static func parse(
        _ bytes: [UInt8], path: String, environment: [String: String], limits: ConfigLoadLimits = ConfigLoadLimits()
    ) throws(ConfigError) -> Config {
        let root: TOMLTable
        do {
            root = try TOMLParser(limits: limits.toml).parse(bytes)
        } catch {
            throw ConfigError(file: path, line: error.line, message: error.message)
        }
        let used = environment.filter { $0.key == "CREDENTIALS_DIRECTORY" }
        let decoder = ConfigDecoder(
            file: path,
            secrets: SecretFileReader(configPath: path, environment: environment, maxBytes: limits.maxSecretFileBytes))
        var config = try decoder.decode(root)
        config.loadEnvironment = used
        return config
    }
}

/// Turns the TOML tree into a `Config`, section by section (`ConfigDecoder+*.swift`).
struct ConfigDecoder {
    let file: String
    let secrets: SecretFileReader

    static let topLevelKeys = ["server", "storage", "sources", "hooks"]

    func decode(_ root: TOMLTable) throws(ConfigError) -> Config {
        let top = ConfigTable(table: root, name: "the top level", file: file)
        try top.rejectUnknownKeys(Self.topLevelKeys)
        var config = Config()
        config.path = file
        let context = ConfigDecodeContext(decoder: self)
        config.server = try server(top.subtable("server", name: "[server]"), context)
        config.storage = try storage(top.subtable("storage", name: "[storage]"), context)
        var sourceLines: [String: Int] = [:]
        for table in try top.tables("sources") {
            let source = try self.source(table, server: config.server, context)
            if let first = sourceLines[source.name] {
                throw table.error(table.line(of: "name"), "duplicate source name `\(source.name)` (first at line \(first))")
            }
            sourceLines[source.name] = source.line
            config.sources.append(source)
        }
        if config.sources.isEmpty {
            context.warnings.append(ConfigWarning(file: file, line: 1, message: "no [[sources]]: nothing can be received"))
        }
        var hookLines: [String: Int] = [:]
        for table in try top.tables("hooks") {
            let hook = try self.hook(table, sources: config.sources, context)
            if let first = hookLines[hook.name] {
                throw table.error(table.line(of: "name"), "duplicate hook name `\(hook.name)` (first at line \(first))")
            }
            hookLines[hook.name] = hook.line
            config.hooks.append(hook)
        }
        config.warnings = context.warnings
        return config
    }

    /// Names appear in URLs (`/hooks/{source}`, `/v1/hooks/{name}`): unreserved URL characters
    /// only (RFC 3986 §2.3), not `.` or `..`.
    func checkName(_ name: String, line: Int, what: String, in table: ConfigTable) throws(ConfigError) {
        let limit = ConfigLimits.nameBytes
        guard name.utf8.count >= limit.min, name.utf8.count <= limit.max else {
            throw table.error(line, "\(what) name must be \(limit.min) to \(limit.max) bytes long")
        }
        let safe = name.utf8.allSatisfy { c in
            TOMLScanner.isBareKeyByte(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "~")
        }
        guard safe, name != ".", name != ".." else {
            throw table.error(line, "\(what) name `\(name)` must use only letters, digits, `-`, `_`, `.`, `~` (it is part of a URL path)")
        }
    }

    /// One secret file's bytes, or a ConfigError at `line`.
    func readSecret(_ name: String, line: Int, in table: ConfigTable) throws(ConfigError) -> [UInt8] {
        switch secrets.read(name) {
        case .success(let bytes): return bytes
        case .failure(let failure): throw table.error(line, failure.message)
        }
    }
}

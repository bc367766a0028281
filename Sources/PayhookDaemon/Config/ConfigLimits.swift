/// The allowed range of a numeric config value. The keys' ranges are declared with the keys
/// (`Settings`); a value outside its range is a config error naming the range.
public struct ConfigLimit: Sendable, Equatable, CustomStringConvertible {
    /// `server`, `storage` or `hooks`.
    public let section: String
    public let key: String
    public let min: Int
    public let max: Int

    public init(_ section: String, _ key: String, min: Int, max: Int) {
        self.section = section
        self.key = key
        self.min = min
        self.max = max
    }

    public var description: String { "\(section).\(key) in \(min)...\(max)" }
}

/// Ranges of values that are not keys of their own.
public enum ConfigLimits {
    /// `admin_token` / `admin_token_file` length in bytes: short tokens can be guessed.
    public static let adminTokenBytes = ConfigLimit("server", "admin_token", min: 16, max: 4096)
    /// Length of source and hook names in bytes.
    public static let nameBytes = ConfigLimit("sources", "name", min: 1, max: 64)

    /// Every integer key (the ones a test walks at min, max, min-1 and max+1), from the table.
    public static var integerKeys: [ConfigLimit] { Settings.integerLimits }
}

/// Bounds on loading itself (as opposed to the values loaded).
public struct ConfigLoadLimits: Sendable, Equatable {
    /// The TOML parser's bounds (document size, nesting).
    public var toml = TOMLLimits()
    /// Size of one secret file at most, in bytes. Default 64 KiB (a PEM key is about 1 KiB).
    public var maxSecretFileBytes: Int = 65_536

    public init(toml: TOMLLimits = TOMLLimits(), maxSecretFileBytes: Int = 65_536) {
        self.toml = toml
        self.maxSecretFileBytes = maxSecretFileBytes
    }
}

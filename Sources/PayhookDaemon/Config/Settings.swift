/// The table of settings: every config key is declared once, as a row of its section's table
/// (`Settings+Server.swift`, `Settings+Storage.swift`, `Settings+Sources.swift`). Decoding,
/// unknown-key detection, range errors, the example config, the README key table, the limit
/// tests and the reload diff all iterate these rows, so adding a key is one row plus its use.

/// Whether SIGHUP applies a key's new value or only a restart does.
public enum SettingReload: String, Sendable {
    case live = "SIGHUP"
    case restart = "restart"
}

/// The unit a key's name ends in (the README table shows it).
public enum SettingUnit: String, Sendable {
    case count, bytes, ms, seconds, days, events
    case perSecond = "per second"
    case none = ""
}

/// How the example config shows a key: its value, or commented out (optional keys).
public struct SettingExample: Sendable {
    /// TOML text after `key = `.
    public var value: String
    public var commented: Bool
    /// Lines that replace `key = value` (sub-tables such as `[sources.event_secrets]`).
    public var lines: [String]? = nil
}

/// Passed to every row's decoder: where the file is, how secrets are read, what to warn about.
final class ConfigDecodeContext {
    let decoder: ConfigDecoder
    var warnings: [ConfigWarning] = []
    init(decoder: ConfigDecoder) { self.decoder = decoder }
    var file: String { decoder.file }
}

/// One key of a section whose decoded form is `Root` (`Config.Server`, `Config.Storage`, ...).
struct Setting<Root>: @unchecked Sendable {
    // Rows live in static tables and are only read: the closures capture key paths and literals.
    let key: String
    let reload: SettingReload
    let help: String
    /// Allowed values of an integer key.
    let range: ClosedRange<Int>?
    let unit: SettingUnit
    /// Shown in the example config and the README, from the section's default value.
    let example: (Root) -> SettingExample
    /// Reads the key (absent keys keep the default) into the section value.
    let decode: (inout Root, ConfigTable, ConfigDecodeContext) throws(ConfigError) -> Void
    /// The decoded value, compared by the reload diff.
    let value: (Root) -> AnyHashable

    /// An integer key, `range` checked, stored at `path`; its default is the struct's initial value.
    static func int(
        _ key: String, _ path: WritableKeyPath<Root, Int>, _ range: ClosedRange<Int>, unit: SettingUnit,
        reload: SettingReload = .restart, commented: Bool = false, help: String
    ) -> Setting {
        Setting(
            key: key, reload: reload, help: help, range: range, unit: unit,
            example: { SettingExample(value: "\($0[keyPath: path])", commented: commented) },
            decode: { (root: inout Root, t: ConfigTable, _: ConfigDecodeContext) throws(ConfigError) in
                if let n = try t.integer(key, range) { root[keyPath: path] = n }
            },
            value: { $0[keyPath: path] })
    }

    /// A key decoded by `decode` (several keys at once, cross-key rules, secrets, durations).
    static func custom(
        _ key: String, reload: SettingReload, unit: SettingUnit = .none, range: ClosedRange<Int>? = nil,
        example: String, commented: Bool = false, lines: [String]? = nil, help: String,
        value: @escaping (Root) -> AnyHashable,
        decode: @escaping (inout Root, ConfigTable, ConfigDecodeContext) throws(ConfigError) -> Void
    ) -> Setting {
        Setting(
            key: key, reload: reload, help: help, range: range, unit: unit,
            example: { _ in SettingExample(value: example, commented: commented, lines: lines) },
            decode: decode, value: value)
    }
}

extension Setting {
    /// The same row, reloaded as `reload` says (a section whose keys all apply one way).
    func reloading(_ reload: SettingReload) -> Setting {
        Setting(
            key: key, reload: reload, help: help, range: range, unit: unit, example: example, decode: decode, value: value)
    }
}

/// The rows of one TOML section and the default value they describe.
struct SettingsSection<Root>: @unchecked Sendable {
    // Immutable after construction (static tables); `defaults` is a plain value.
    /// `server`, `storage`, `sources`, `hooks`.
    let name: String
    let defaults: Root
    let rows: [Setting<Root>]

    var keys: [String] { rows.map(\.key) }

    /// Refuses unknown keys (with "did you mean"), then runs every row in table order.
    func decode(into root: inout Root, _ t: ConfigTable, _ context: ConfigDecodeContext) throws(ConfigError) {
        try t.rejectUnknownKeys(keys)
        for row in rows { try row.decode(&root, t, context) }
    }

    /// `[server] segment_bytes`-style names of the restart-only keys whose value differs.
    func restartRequired(_ old: Root, _ new: Root) -> [String] {
        rows.filter { $0.reload == .restart && $0.value(old) != $0.value(new) }.map { "[\(name)] \($0.key)" }
    }

    /// Every integer row as a limit (the tests walk them at min, max, min-1 and max+1).
    var limits: [ConfigLimit] {
        rows.compactMap { row in row.range.map { ConfigLimit(name, row.key, min: $0.lowerBound, max: $0.upperBound) } }
    }
}

extension ConfigTable {
    /// An integer within `range`, or `nil` when absent.
    func integer(_ key: String, _ range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        try integer(key, ConfigLimit("", key, min: range.lowerBound, max: range.upperBound))
    }
}

/// Every section's table.
public enum Settings {
    /// Integer keys of every section (the limit tests' walk).
    static var integerLimits: [ConfigLimit] { server.limits + storage.limits + sources.limits + hooks.limits }

    /// `[server] max_connections`-style names of the restart-only keys that differ between the
    /// running configuration and a new one, in table order.
    static func restartRequired(_ old: Config, _ new: Config) -> [String] {
        // [[hooks]] apply on SIGHUP (HookSet.apply), all of them.
        server.restartRequired(old.server, new.server) + storage.restartRequired(old.storage, new.storage)
    }

    /// The row of `section`'s `key` as a limit (tests and the few checks that quote a range).
    static func limit(_ section: String, _ key: String) -> ConfigLimit {
        guard let found = integerLimits.first(where: { $0.section == section && $0.key == key }) else {
            preconditionFailure("no integer setting \(section).\(key)")
        }
        return found
    }
}

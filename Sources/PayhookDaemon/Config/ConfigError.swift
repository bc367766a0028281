/// A message about a config file: where (`file`, 1-based `line`) and what. One type for both
/// uses: thrown as `ConfigError` when the file is refused, collected as `ConfigWarning` when a
/// setting is allowed but worth an operator's attention (e.g. a source with
/// `signature = "none"`; the daemon logs each at start, `check-config` prints them).
///
/// `description` is `file:line: message`, what `payhookd check-config` and `serve` print (before
/// exiting with status 2 for an error). `line` is 0 only when the file as a whole cannot be read;
/// the description is then `file: message`. Messages never contain secret values: they name keys
/// and files, and quote only values of non-secret keys.
public struct ConfigDiagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}

/// Why a config file was refused (`serve` and `check-config` exit with status 2).
public typealias ConfigError = ConfigDiagnostic

/// Something allowed but noteworthy; logged at start, printed by `check-config`.
public typealias ConfigWarning = ConfigDiagnostic

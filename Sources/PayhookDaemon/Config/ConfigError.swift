/// Why a config file was refused: where (`file`, 1-based `line`) and what.
///
/// `description` is `file:line: message`, what `payhookd check-config` and `serve` print before
/// exiting with status 2. `line` is 0 only when the file as a whole cannot be read; the
/// description is then `file: message`. Messages never contain secret values: they name keys and
/// files, and quote only values of non-secret keys.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
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

/// Something allowed but worth an operator's attention (e.g. a source with `signature = "none"`).
/// The daemon logs each at start; `check-config` prints them. Same shape as `ConfigError`.
public struct ConfigWarning: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { "\(file):\(line): \(message)" }
}

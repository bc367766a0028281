import PayhookCore

/// A parsed TOML value together with the line it was defined on.
///
/// `line` is the line of the key for a key/value pair, of the header for a `[table]` or
/// `[[array]]` element, and of the element itself inside an array, so that config messages can
/// point at the exact line (`file:line: message`).
public struct TOMLValue: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case string(String)
        case integer(Int64)
        case float(Double)
        case boolean(Bool)
        /// A value array: `[1, 2]`, possibly spanning lines, possibly holding inline tables.
        case array([TOMLValue])
        /// An array of tables built by `[[name]]` headers (each element is a `.table`).
        case tableArray([TOMLValue])
        case table(TOMLTable)
    }

    public var kind: Kind
    /// 1-based line number in the document.
    public var line: Int

    public init(_ kind: Kind, line: Int) {
        self.kind = kind
        self.line = line
    }

    /// The TOML type name used in messages: "string", "integer", "float", "boolean", "array",
    /// "table".
    public var typeName: String {
        switch kind {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .boolean: "boolean"
        case .array, .tableArray: "array"
        case .table: "table"
        }
    }

    /// The elements of either kind of array, or `nil` when the value is not an array.
    public var elements: [TOMLValue]? {
        switch kind {
        case .array(let a), .tableArray(let a): a
        default: nil
        }
    }
}

/// A TOML table: keys in definition order, each with its value and line.
public struct TOMLTable: Sendable, Equatable {
    /// How a table came to exist; TOML 1.0 allows different redefinitions for each.
    enum Origin: Sendable, Equatable {
        /// The document itself.
        case root
        /// Created as a parent by a header such as `[a.b]` (for `a`); `[a]` may still define it.
        case implicit
        /// Defined by its own `[header]`.
        case header
        /// Created by a dotted key `a.b = 1` (for `a`).
        case dotted
        /// `{ ... }`: closed once written, nothing may be added later.
        case inline
        /// One element of an array of tables (`[[name]]`).
        case arrayElement
    }

    /// Keys in the order they were defined.
    public private(set) var keys: [String] = []
    private var entries: [ByteString: TOMLValue] = [:]
    /// The line where the table was opened (header, first dotted key, or `{`).
    public internal(set) var line: Int
    var origin: Origin

    init(origin: Origin, line: Int) {
        self.origin = origin
        self.line = line
    }

    /// The value of the key with exactly these bytes (`ByteString`), not a canonically
    /// equivalent one: `"\u212A"` (KELVIN SIGN) is not the key `K`.
    public subscript(key: String) -> TOMLValue? { entries[ByteString(key)] }

    /// Every key with its value, in definition order.
    public var pairs: [(key: String, value: TOMLValue)] { keys.map { ($0, entries[ByteString($0)]!) } }

    mutating func set(_ key: String, _ value: TOMLValue) {
        if entries.updateValue(value, forKey: ByteString(key)) == nil { keys.append(key) }
    }

    /// Takes a value out (its key keeps its place in `keys`) so that it can be mutated in place,
    /// without a copy-on-write copy; `putBack` returns it.
    mutating func takeOut(_ key: String) -> TOMLValue? { entries.removeValue(forKey: ByteString(key)) }

    /// Returns a value taken out with `takeOut`, keeping the key's place.
    mutating func putBack(_ key: String, _ value: TOMLValue) { entries[ByteString(key)] = value }
}

/// Bounds on what the TOML parser accepts, so a hostile or broken file cannot exhaust memory or
/// the stack.
public struct TOMLLimits: Sendable, Equatable {
    /// Document size at most, in bytes. Default 1 MiB (a config is a few KiB).
    public var maxDocumentBytes: Int = 1_048_576
    /// Nesting at most: key path segments plus arrays and inline tables from the root to the
    /// deepest value. Default 32 (the payhookd config needs 3). A value above `maxDepthCeiling`
    /// acts as the ceiling.
    public var maxDepth: Int = 32
    /// The most any `maxDepth` can allow: 128. The parser recurses once per level (arrays, inline
    /// tables, key segments), so it enforces this itself: no setting can overflow the stack.
    public static let maxDepthCeiling = 128

    public init(maxDocumentBytes: Int = 1_048_576, maxDepth: Int = 32) {
        self.maxDocumentBytes = maxDocumentBytes
        self.maxDepth = maxDepth
    }
}

/// A TOML syntax or structure error, with its 1-based line.
///
/// Messages never quote the document's text (a malformed line may hold a secret); they name
/// keys only, which are not secret.
public struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case documentTooLarge(maxBytes: Int)
        case tooDeep(maxDepth: Int)
        case invalidUTF8
        case controlCharacter
        case expected(String)
        case unterminatedString
        case newlineInString
        case invalidEscape
        case invalidUnicodeScalar
        case invalidNumber
        case integerOverflow
        /// A float whose value overflows binary64 to infinity, or a non-zero literal that
        /// underflows to zero: either would silently mean another number (`inf` is written `inf`).
        case floatOutOfRange
        case unsupportedDateTime
        case duplicateKey(key: String, firstLine: Int)
        case duplicateTable(name: String, firstLine: Int)
        case notATable(key: String, firstLine: Int)
        case inlineTableClosed(key: String, firstLine: Int)
        case staticArray(name: String, firstLine: Int)
    }

    public var kind: Kind
    public var line: Int

    public init(_ kind: Kind, line: Int) {
        self.kind = kind
        self.line = line
    }

    public var message: String {
        switch kind {
        case .documentTooLarge(let n): "document is larger than \(n) bytes"
        case .tooDeep(let n): "values nested deeper than \(n) levels"
        case .invalidUTF8: "invalid UTF-8"
        case .controlCharacter: "control character not allowed here"
        case .expected(let what): "expected \(what)"
        case .unterminatedString: "unterminated string"
        case .newlineInString: "newline in a single-line string"
        case .invalidEscape: "invalid escape sequence in string"
        case .invalidUnicodeScalar: "\\u escape is not a Unicode scalar value"
        case .invalidNumber: "invalid number"
        case .integerOverflow: "integer does not fit in 64 bits"
        case .floatOutOfRange: "float is out of range (overflows to infinity or a non-zero value underflows to zero)"
        case .unsupportedDateTime: "dates and times are not supported in this config"
        case .duplicateKey(let k, let l): "duplicate key `\(k)` (first defined at line \(l))"
        case .duplicateTable(let k, let l): "table [\(k)] defined twice (first at line \(l))"
        case .notATable(let k, let l): "`\(k)` is not a table (defined at line \(l))"
        case .inlineTableClosed(let k, let l): "inline table `\(k)` (line \(l)) cannot be extended"
        case .staticArray(let k, let l): "`\(k)` is a value array (line \(l)), not an array of tables"
        }
    }

    public var description: String { "line \(line): \(message)" }
}

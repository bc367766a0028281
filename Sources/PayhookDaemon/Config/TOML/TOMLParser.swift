// A small strict TOML 1.0 parser for payhookd's config.
//
// Why not TOMLKit (the library style.md suggests): TOMLKit (over toml++) exposes no source
// positions for values, and the config contract demands `file:line: message` for unknown keys,
// wrong types and bad values. This parser keeps the line of every key, header and array element.
//
// Supported: comments; bare, quoted and dotted keys; basic strings with every escape (including
// \uXXXX and \UXXXXXXXX), literal strings, both multi-line forms; decimal integers with
// underscores, hex/octal/binary integers; floats (incl. inf/nan); booleans; arrays (multi-line,
// trailing comma, mixed types); inline tables; [tables], [[arrays of tables]], sub-tables; the
// TOML 1.0 rules against defining a key or table twice; a leading byte order mark. Floats must
// stay in the binary64 range (an overflow to infinity or a non-zero literal that underflows to
// zero is an error). Not supported (a clear error): dates and times, which the config never
// needs. Bounded by `TOMLLimits` (document size, nesting depth; the depth is capped by
// `TOMLLimits.maxDepthCeiling` whatever the caller passes).

/// Parses a TOML document into a `TOMLTable` whose values remember their lines.
public struct TOMLParser: Sendable {
    public var limits: TOMLLimits

    public init(limits: TOMLLimits = TOMLLimits()) {
        self.limits = limits
    }

    /// Parses `bytes` (UTF-8). Throws the first error with its line.
    public func parse(_ bytes: [UInt8]) throws(TOMLError) -> TOMLTable {
        if bytes.count > limits.maxDocumentBytes {
            throw TOMLError(.documentTooLarge(maxBytes: limits.maxDocumentBytes), line: 1)
        }
        try TOMLScanner.validateUTF8(bytes)
        var scanner = TOMLScanner(bytes: bytes, maxDepth: min(limits.maxDepth, TOMLLimits.maxDepthCeiling))
        // A byte order mark is allowed only as the document's first character (editors on some
        // systems write one); anywhere else it is an ordinary character, refused outside strings.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { scanner.advance(3) }
        var document = TOMLDocument(scanner: scanner)
        try document.parseAll()
        return document.root
    }

    /// Parses a string; convenience for tests and tools.
    public func parse(_ text: String) throws(TOMLError) -> TOMLTable {
        try parse(Array(text.utf8))
    }
}

/// The statement level of a document: headers and key/value pairs, and the table tree they build.
struct TOMLDocument {
    var scanner: TOMLScanner
    var root = TOMLTable(origin: .root, line: 1)
    /// Key path of the table that key/value pairs currently go into.
    var current: [String] = []

    init(scanner: TOMLScanner) {
        self.scanner = scanner
    }

    mutating func parseAll() throws(TOMLError) {
        while true {
            scanner.skipSpaces()
            guard let c = scanner.peek() else { return }
            switch c {
            case UInt8(ascii: "#"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                try scanner.expectEndOfLine()
            case UInt8(ascii: "["):
                try parseHeader()
                try scanner.expectEndOfLine()
            default:
                try parseKeyValue()
                try scanner.expectEndOfLine()
            }
        }
    }

    private mutating func parseHeader() throws(TOMLError) {
        let line = scanner.line
        scanner.advance()  // [
        let isArray = scanner.peek() == UInt8(ascii: "[")
        if isArray { scanner.advance() }
        let path = try scanner.parseKey()
        try scanner.checkDepth(path.count)
        scanner.skipSpaces()
        try scanner.expect(UInt8(ascii: "]"), what: isArray ? "`]]` to close the header" : "`]` to close the header")
        if isArray {
            try scanner.expect(UInt8(ascii: "]"), what: "`]]` to close the header")
            try root.appendTableArrayElement(path: path, line: line)
        } else {
            try root.defineTable(path: path, line: line)
        }
        current = path
    }

    private mutating func parseKeyValue() throws(TOMLError) {
        let line = scanner.line
        let key = try scanner.parseKey()
        scanner.skipSpaces()
        try scanner.expect(UInt8(ascii: "="), what: "`=` after the key")
        scanner.skipSpaces()
        let depth = current.count + key.count
        try scanner.checkDepth(depth)
        let value = try scanner.parseValue(depth: depth)
        let path = current
        try root.withTable(at: path[...]) { (table: inout TOMLTable) throws(TOMLError) in
            try table.insert(key: key[...], value: TOMLValue(value.kind, line: line), prefix: path)
        }
    }
}

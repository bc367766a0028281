/// The byte-level reader under `TOMLParser`: position, line counting, whitespace, comments,
/// keys. Values are in `TOMLScanner+Values.swift` and `TOMLScanner+Strings.swift`.
struct TOMLScanner {
    let bytes: [UInt8]
    let maxDepth: Int
    var position = 0
    /// 1-based; incremented when a newline is consumed.
    var line = 1

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    func peek(_ offset: Int = 0) -> UInt8? {
        let i = position + offset
        return i < bytes.count ? bytes[i] : nil
    }

    mutating func advance(_ n: Int = 1) { position += n }

    func error(_ kind: TOMLError.Kind) -> TOMLError { TOMLError(kind, line: line) }

    func checkDepth(_ depth: Int) throws(TOMLError) {
        if depth > maxDepth { throw error(.tooDeep(maxDepth: maxDepth)) }
    }

    mutating func expect(_ byte: UInt8, what: String) throws(TOMLError) {
        guard peek() == byte else { throw error(.expected(what)) }
        advance()
    }

    /// Spaces and tabs (TOML's whitespace).
    mutating func skipSpaces() {
        while let c = peek(), c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") { advance() }
    }

    /// Consumes `\n` or `\r\n` if one is next; returns whether it did.
    mutating func consumeNewline() throws(TOMLError) -> Bool {
        switch peek() {
        case UInt8(ascii: "\n"):
            advance()
        case UInt8(ascii: "\r"):
            guard peek(1) == UInt8(ascii: "\n") else { throw error(.controlCharacter) }
            advance(2)
        default:
            return false
        }
        line += 1
        return true
    }

    /// `# ...` up to (not including) the end of the line. Control characters other than tab are
    /// not allowed in comments (TOML 1.0).
    mutating func skipComment() throws(TOMLError) {
        guard peek() == UInt8(ascii: "#") else { return }
        advance()
        while let c = peek(), c != UInt8(ascii: "\n") {
            if c == UInt8(ascii: "\r") && peek(1) == UInt8(ascii: "\n") { return }
            if Self.isControl(c) { throw error(.controlCharacter) }
            advance()
        }
    }

    /// After a statement: spaces, an optional comment, then a newline or the end of the document.
    mutating func expectEndOfLine() throws(TOMLError) {
        skipSpaces()
        try skipComment()
        if peek() == nil { return }
        guard try consumeNewline() else { throw error(.expected("end of line")) }
    }

    /// Spaces, newlines and comments, as allowed between array elements.
    mutating func skipSpacesNewlinesComments() throws(TOMLError) {
        while true {
            skipSpaces()
            try skipComment()
            guard try consumeNewline() else { return }
        }
    }

    /// A key: bare or quoted segments separated by dots, whitespace allowed around the dots.
    mutating func parseKey() throws(TOMLError) -> [String] {
        var segments: [String] = []
        while true {
            skipSpaces()
            switch peek() {
            case UInt8(ascii: "\""):
                segments.append(try parseBasicString(multiline: false))
            case UInt8(ascii: "'"):
                segments.append(try parseLiteralString(multiline: false))
            default:
                let start = position
                while let c = peek(), Self.isBareKeyByte(c) { advance() }
                guard position > start else { throw error(.expected("a key")) }
                segments.append(String(decoding: bytes[start..<position], as: UTF8.self))
            }
            try checkDepth(segments.count)
            skipSpaces()
            guard peek() == UInt8(ascii: ".") else { return segments }
            advance()
        }
    }

    static func isBareKeyByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }

    /// Control characters TOML forbids in comments and strings (tab is allowed).
    static func isControl(_ c: UInt8) -> Bool { (c < 0x20 && c != 0x09) || c == 0x7F }

    /// Rejects invalid UTF-8 (overlong forms, surrogates, values above U+10FFFF), with the line.
    static func validateUTF8(_ bytes: [UInt8]) throws(TOMLError) {
        var i = 0
        var line = 1
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                if b == UInt8(ascii: "\n") { line += 1 }
                i += 1
                continue
            }
            let (count, minimum): (Int, UInt32) =
                switch b {
                case 0xC2...0xDF: (2, 0x80)
                case 0xE0...0xEF: (3, 0x800)
                case 0xF0...0xF4: (4, 0x10000)
                default: (0, 0)
                }
            guard count > 0, i + count <= bytes.count else { throw TOMLError(.invalidUTF8, line: line) }
            var scalar = UInt32(b) & (0xFF >> (count + 1))
            for k in 1..<count {
                let c = bytes[i + k]
                guard c & 0xC0 == 0x80 else { throw TOMLError(.invalidUTF8, line: line) }
                scalar = scalar << 6 | UInt32(c & 0x3F)
            }
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else {
                throw TOMLError(.invalidUTF8, line: line)
            }
            i += count
        }
    }
}

// TOML strings (https://toml.io/en/v1.0.0#string): basic "..." with escapes, literal '...',
// and their multi-line forms """...""" and '''...'''. The document is valid UTF-8 already
// (checked up front), so bytes are copied as they are.

extension TOMLScanner {
    /// A basic string; `position` is at the opening quote.
    mutating func parseBasicString(multiline: Bool) throws(TOMLError) -> String {
        try parseString(quote: UInt8(ascii: "\""), escapes: true, multiline: multiline)
    }

    /// A literal string; `position` is at the opening quote. No escapes.
    mutating func parseLiteralString(multiline: Bool) throws(TOMLError) -> String {
        try parseString(quote: UInt8(ascii: "'"), escapes: false, multiline: multiline)
    }

    /// The body both string kinds share: only the quote and the escapes differ.
    private mutating func parseString(quote: UInt8, escapes: Bool, multiline: Bool) throws(TOMLError) -> String {
        let startLine = line
        advance(multiline ? 3 : 1)
        if multiline { _ = try consumeNewline() }  // a newline right after the opening quotes is trimmed
        var out: [UInt8] = []
        while true {
            guard let c = peek() else { throw TOMLError(.unterminatedString, line: startLine) }
            switch c {
            case quote:
                if !multiline {
                    advance()
                    return String(decoding: out, as: UTF8.self)
                }
                if try closeMultiline(quote: c, into: &out) { return String(decoding: out, as: UTF8.self) }
            case UInt8(ascii: "\\") where escapes:
                if multiline, try skipLineEndingBackslash() { continue }
                try parseEscape(into: &out)
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                guard multiline else { throw error(.newlineInString) }
                _ = try consumeNewline()
                out.append(UInt8(ascii: "\n"))
            default:
                if Self.isControl(c) { throw error(.controlCharacter) }
                out.append(c)
                advance()
            }
        }
    }

    /// At a quote inside a multi-line string: one or two quotes are content; three to five end
    /// the string, the ones beyond three being content (`""""` is `"` then the delimiter).
    private mutating func closeMultiline(quote: UInt8, into out: inout [UInt8]) throws(TOMLError) -> Bool {
        var run = 0
        while peek(run) == quote { run += 1 }
        if run < 3 {
            out.append(contentsOf: repeatElement(quote, count: run))
            advance(run)
            return false
        }
        guard run <= 5 else { throw error(.expected("at most five quotes at the end of a string")) }
        out.append(contentsOf: repeatElement(quote, count: run - 3))
        advance(run)
        return true
    }

    /// A backslash that is the last non-space character of a line (multi-line basic strings):
    /// it and all following whitespace and newlines are dropped.
    private mutating func skipLineEndingBackslash() throws(TOMLError) -> Bool {
        var i = 1
        while let c = peek(i), c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") { i += 1 }
        guard peek(i) == UInt8(ascii: "\n") || (peek(i) == UInt8(ascii: "\r") && peek(i + 1) == UInt8(ascii: "\n")) else {
            return false
        }
        advance(i)
        while true {
            skipSpaces()
            guard try consumeNewline() else { return true }
        }
    }

    private mutating func parseEscape(into out: inout [UInt8]) throws(TOMLError) {
        guard let e = peek(1) else { throw error(.unterminatedString) }
        advance(2)
        switch e {
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "u"): try parseUnicodeEscape(digits: 4, into: &out)
        case UInt8(ascii: "U"): try parseUnicodeEscape(digits: 8, into: &out)
        default: throw error(.invalidEscape)
        }
    }

    private mutating func parseUnicodeEscape(digits: Int, into out: inout [UInt8]) throws(TOMLError) {
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let c = peek(), let d = Self.hexValue(c) else { throw error(.invalidEscape) }
            value = value << 4 | UInt32(d)
            advance()
        }
        guard let scalar = Unicode.Scalar(value) else { throw error(.invalidUnicodeScalar) }
        out.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

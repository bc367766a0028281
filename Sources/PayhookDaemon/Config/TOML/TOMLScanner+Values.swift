// TOML values other than strings: arrays, inline tables, booleans, integers, floats
// (https://toml.io/en/v1.0.0). Numbers are validated strictly: underscores only between digits,
// no leading zeros, no sign on hex/octal/binary, 64-bit range.

extension TOMLScanner {
    /// A value at nesting `depth` (already checked); its line is set by the caller.
    mutating func parseValue(depth: Int) throws(TOMLError) -> TOMLValue {
        let line = self.line
        switch peek() {
        case UInt8(ascii: "\""):
            let multi = peek(1) == UInt8(ascii: "\"") && peek(2) == UInt8(ascii: "\"")
            return TOMLValue(.string(try parseBasicString(multiline: multi)), line: line)
        case UInt8(ascii: "'"):
            let multi = peek(1) == UInt8(ascii: "'") && peek(2) == UInt8(ascii: "'")
            return TOMLValue(.string(try parseLiteralString(multiline: multi)), line: line)
        case UInt8(ascii: "["):
            return TOMLValue(.array(try parseArray(depth: depth)), line: line)
        case UInt8(ascii: "{"):
            return TOMLValue(.table(try parseInlineTable(depth: depth)), line: line)
        default:
            return TOMLValue(try parseBareValue(), line: line)
        }
    }

    private mutating func parseArray(depth: Int) throws(TOMLError) -> [TOMLValue] {
        advance()  // [
        var elements: [TOMLValue] = []
        while true {
            try skipSpacesNewlinesComments()
            if peek() == UInt8(ascii: "]") { break }
            try checkDepth(depth + 1)
            elements.append(try parseValue(depth: depth + 1))
            try skipSpacesNewlinesComments()
            if peek() == UInt8(ascii: ",") {
                advance()
                continue
            }
            guard peek() == UInt8(ascii: "]") else { throw error(.expected("`,` or `]` in array")) }
            break
        }
        advance()  // ]
        return elements
    }

    /// `{ k = v, ... }` on one line, no trailing comma (TOML 1.0).
    private mutating func parseInlineTable(depth: Int) throws(TOMLError) -> TOMLTable {
        var table = TOMLTable(origin: .inline, line: line)
        advance()  // {
        skipSpaces()
        if peek() == UInt8(ascii: "}") {
            advance()
            return table
        }
        while true {
            let key = try parseKey()
            skipSpaces()
            try expect(UInt8(ascii: "="), what: "`=` after the key")
            skipSpaces()
            try checkDepth(depth + key.count)
            let value = try parseValue(depth: depth + key.count)
            try table.insert(key: key[...], value: value, prefix: [])
            skipSpaces()
            switch peek() {
            case UInt8(ascii: ","):
                advance()
                skipSpaces()
                if peek() == UInt8(ascii: "}") { throw error(.expected("a key after `,` (no trailing comma in inline tables)")) }
            case UInt8(ascii: "}"):
                advance()
                return table
            default:
                throw error(.expected("`,` or `}` in inline table (inline tables stay on one line)"))
            }
        }
    }

    /// Booleans and numbers: a run of bare characters, then classified.
    private mutating func parseBareValue() throws(TOMLError) -> TOMLValue.Kind {
        let start = position
        while let c = peek(), Self.isBareValueByte(c) { advance() }
        let token = Array(bytes[start..<position])
        guard !token.isEmpty else {
            throw error(.expected("a value (string, number, boolean, array or inline table)"))
        }
        switch String(decoding: token, as: UTF8.self) {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        if Self.looksLikeDateTime(token) { throw error(.unsupportedDateTime) }
        if token.count > 2, token[0] == UInt8(ascii: "0"), let radix = Self.radix(token[1]) {
            return .integer(try parseInteger(token[2...], radix: radix, negative: false))
        }
        if token.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            return .float(try parseFloat(token))
        }
        var digits = token[...]
        var negative = false
        if let sign = digits.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        if digits.count > 1, digits.first == UInt8(ascii: "0") { throw error(.invalidNumber) }
        return .integer(try parseInteger(digits, radix: 10, negative: negative))
    }

    static func isBareValueByte(_ c: UInt8) -> Bool {
        isBareKeyByte(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == UInt8(ascii: ":")
    }

    static func radix(_ c: UInt8) -> Int64? {
        switch c {
        case UInt8(ascii: "x"): 16
        case UInt8(ascii: "o"): 8
        case UInt8(ascii: "b"): 2
        default: nil
        }
    }

    /// `1979-05-27`, `07:32:00`: dates and times, which this parser refuses by name.
    static func looksLikeDateTime(_ t: [UInt8]) -> Bool {
        func digits(_ r: Range<Int>) -> Bool { r.allSatisfy { $0 < t.count && (0x30...0x39).contains(t[$0]) } }
        return (digits(0..<4) && t.count > 4 && t[4] == UInt8(ascii: "-"))
            || (digits(0..<2) && t.count > 2 && t[2] == UInt8(ascii: ":"))
    }

    /// Digits with single underscores between them, accumulated without overflow. Negative
    /// values accumulate downwards so that Int64.min is representable.
    private func parseInteger(_ digits: ArraySlice<UInt8>, radix: Int64, negative: Bool) throws(TOMLError) -> Int64 {
        guard let first = digits.first, first != UInt8(ascii: "_"), digits.last != UInt8(ascii: "_") else {
            throw error(.invalidNumber)
        }
        var value: Int64 = 0
        var previousUnderscore = false
        for c in digits {
            if c == UInt8(ascii: "_") {
                if previousUnderscore { throw error(.invalidNumber) }
                previousUnderscore = true
                continue
            }
            previousUnderscore = false
            guard let d = Self.hexValue(c), Int64(d) < radix else { throw error(.invalidNumber) }
            let (m, o1) = value.multipliedReportingOverflow(by: radix)
            let (v, o2) = negative ? m.subtractingReportingOverflow(Int64(d)) : m.addingReportingOverflow(Int64(d))
            if o1 || o2 { throw error(.integerOverflow) }
            value = v
        }
        return value
    }

    /// `[sign] int [. digits] [e [sign] digits]` with at least a fraction or an exponent, whose
    /// value is finite and non-zero unless every digit before the exponent is zero.
    private func parseFloat(_ token: [UInt8]) throws(TOMLError) -> Double {
        var i = 0
        func digitRun(allowLeadingZero: Bool) throws(TOMLError) {
            let start = i
            var previousUnderscore = true  // no underscore first
            while i < token.count, (0x30...0x39).contains(token[i]) || token[i] == UInt8(ascii: "_") {
                let underscore = token[i] == UInt8(ascii: "_")
                if underscore && previousUnderscore { throw error(.invalidNumber) }
                previousUnderscore = underscore
                i += 1
            }
            guard i > start, !previousUnderscore else { throw error(.invalidNumber) }
            if !allowLeadingZero, i - start > 1, token[start] == UInt8(ascii: "0") { throw error(.invalidNumber) }
        }
        if token[i] == UInt8(ascii: "+") || token[i] == UInt8(ascii: "-") { i += 1 }
        guard i < token.count else { throw error(.invalidNumber) }
        try digitRun(allowLeadingZero: false)
        if i < token.count, token[i] == UInt8(ascii: ".") {
            i += 1
            try digitRun(allowLeadingZero: true)
        }
        if i < token.count, token[i] == UInt8(ascii: "e") || token[i] == UInt8(ascii: "E") {
            i += 1
            if i < token.count, token[i] == UInt8(ascii: "+") || token[i] == UInt8(ascii: "-") { i += 1 }
            try digitRun(allowLeadingZero: true)
        }
        guard i == token.count else { throw error(.invalidNumber) }
        let text = String(decoding: token.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        guard let value = Double(text) else { throw error(.invalidNumber) }
        // Double(_:) rounds 1e400 to inf and 1e-400 to 0; the literal meant neither.
        let mantissa = token.prefix { $0 != UInt8(ascii: "e") && $0 != UInt8(ascii: "E") }
        let nonZero = mantissa.contains { (UInt8(ascii: "1")...UInt8(ascii: "9")).contains($0) }
        guard value.isFinite, value != 0 || !nonZero else { throw error(.floatOutOfRange) }
        return value
    }
}

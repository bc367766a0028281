extension JSONCursor {
    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// The error for a number that stops too early: end of input or a byte outside the grammar.
    private func numberError() -> JSONError {
        atEnd ? JSONError(.unexpectedEnd, at: buffer.count) : JSONError(.invalidNumber, at: pos)
    }

    /// RFC 8259 section 6: `[ minus ] int [ frac ] [ exp ]`, `int = zero / ( digit1-9 *DIGIT )`.
    mutating func number() throws(JSONError) -> String {
        let range = try numberRange()
        return String(decoding: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self)
    }

    /// Checks a number and moves past it; returns where its text lies.
    mutating func numberRange() throws(JSONError) -> Range<Int> {
        let start = pos
        if buffer[pos] == UInt8(ascii: "-") { pos += 1 }
        guard !atEnd, Self.isDigit(buffer[pos]) else { throw numberError() }
        if buffer[pos] == UInt8(ascii: "0") {
            pos += 1
            if !atEnd, Self.isDigit(buffer[pos]) { throw JSONError(.invalidNumber, at: pos) }
        } else {
            skipDigits()
        }
        if !atEnd, buffer[pos] == UInt8(ascii: ".") {
            pos += 1
            guard !atEnd, Self.isDigit(buffer[pos]) else { throw numberError() }
            skipDigits()
        }
        if !atEnd, buffer[pos] | 0x20 == UInt8(ascii: "e") {
            pos += 1
            if !atEnd, buffer[pos] == UInt8(ascii: "+") || buffer[pos] == UInt8(ascii: "-") { pos += 1 }
            guard !atEnd, Self.isDigit(buffer[pos]) else { throw numberError() }
            skipDigits()
        }
        return start..<pos
    }

    private mutating func skipDigits() {
        while !atEnd, Self.isDigit(buffer[pos]) { pos += 1 }
    }

    /// A string (RFC 8259 section 7), from its opening quote; returns the unescaped contents.
    mutating func string() throws(JSONError) -> String {
        try scanString(keep: true)!
    }

    /// Checks a string and moves past it without making a `String` of it.
    mutating func skipString() throws(JSONError) {
        _ = try scanString(keep: false)
    }

    /// One scan for both: `keep` decides whether the contents become a `String` (else `nil`).
    @inline(__always)
    private mutating func scanString(keep: Bool) throws(JSONError) -> String? {
        pos += 1  // opening quote
        let start = pos
        var escaped = false
        scratch.removeAll(keepingCapacity: true)
        var runStart = pos
        while true {
            guard !atEnd else { throw JSONError(.unexpectedEnd, at: buffer.count) }
            let b = buffer[pos]
            if b == UInt8(ascii: "\"") {
                defer { pos += 1 }
                guard keep else { return nil }
                // Without escapes the contents are the input bytes themselves: no copy to scratch.
                guard escaped else { return String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<pos]), as: UTF8.self) }
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<pos]))
                return String(decoding: scratch, as: UTF8.self)
            } else if b == UInt8(ascii: "\\") {
                escaped = true
                if keep { scratch.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<pos])) }
                try escape()
                runStart = pos
            } else if b < 0x20 {
                throw JSONError(.controlCharacter, at: pos)
            } else if b < 0x80 {
                pos += 1
            } else {
                try utf8Sequence()
            }
        }
    }

    /// Validates one multi-byte UTF-8 sequence at `pos` (RFC 3629 section 4: no overlong forms,
    /// no surrogates, nothing above U+10FFFF) and moves past it.
    private mutating func utf8Sequence() throws(JSONError) {
        let lead = buffer[pos]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            high = 0x9F
        case 0xF0:
            length = 4
            low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            high = 0x8F
        default: throw JSONError(.invalidUTF8, at: pos)
        }
        for i in 1..<length {
            let at = pos + i
            guard at < buffer.count else { throw JSONError(.unexpectedEnd, at: buffer.count) }
            let b = buffer[at]
            let (lo, hi) = i == 1 ? (low, high) : (UInt8(0x80), UInt8(0xBF))
            guard b >= lo, b <= hi else { throw JSONError(.invalidUTF8, at: at) }
        }
        pos += length
    }

    /// One escape, from its backslash; appends the bytes it stands for to `scratch`.
    private mutating func escape() throws(JSONError) {
        let start = pos
        pos += 1
        guard !atEnd else { throw JSONError(.unexpectedEnd, at: buffer.count) }
        let b = buffer[pos]
        pos += 1
        switch b {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(b)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"): try unicodeEscape(from: start)
        default: throw JSONError(.invalidEscape, at: pos - 1)
        }
    }

    /// `\uXXXX`, or a surrogate pair `\uD8xx\uDCxx` (RFC 8259 section 7); `pos` is after the `u`.
    private mutating func unicodeEscape(from start: Int) throws(JSONError) {
        let unit = try hex4()
        var scalar = UInt32(unit)
        if (0xD800...0xDBFF).contains(unit) {
            // A high surrogate must be followed by `\u` and a low one; input that ends before
            // that can be told is cut short, not a lone surrogate.
            if pos >= buffer.count || (buffer[pos] == UInt8(ascii: "\\") && pos + 1 >= buffer.count) {
                throw JSONError(.unexpectedEnd, at: buffer.count)
            }
            guard buffer[pos] == UInt8(ascii: "\\"), buffer[pos + 1] == UInt8(ascii: "u") else {
                throw JSONError(.loneSurrogate, at: start)
            }
            pos += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw JSONError(.loneSurrogate, at: start) }
            scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(unit) {
            throw JSONError(.loneSurrogate, at: start)
        }
        appendUTF8(scalar)
    }

    private mutating func hex4() throws(JSONError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard !atEnd else { throw JSONError(.unexpectedEnd, at: buffer.count) }
            let b = buffer[pos]
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: throw JSONError(.invalidEscape, at: pos)
            }
            value = value << 4 | UInt16(digit)
            pos += 1
        }
        return value
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | (scalar >> 6)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | (scalar >> 12)))
            scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            scratch.append(UInt8(0xF0 | (scalar >> 18)))
            scratch.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }
}

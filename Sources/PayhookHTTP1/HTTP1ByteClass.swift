/// Byte classes of RFC 9110/9112/3986 as 128-bit masks (two UInt64 words: bytes 0-63, 64-127).
/// Literal masks keep the checks branch-light and free of table lookups or lazy globals.
enum HTTP1ByteClass {
    @inline(__always)
    static func inMask(_ b: UInt8, _ lo: UInt64, _ hi: UInt64) -> Bool {
        // Branch-free (select + shift): letters, digits and punctuation alternate in real
        // headers, and a branch on the byte's range would mispredict on every switch.
        let word = b & 0x40 == 0 ? lo : hi
        let bit = (word >> UInt64(b & 63)) & 1
        return bit & UInt64((~b) >> 7) != 0
    }

    /// tchar (RFC 9110 §5.6.2): method, field names, transfer codings, chunk-extension names.
    @inline(__always)
    static func isToken(_ b: UInt8) -> Bool { inMask(b, 0x03FF_6CFA_0000_0000, 0x57FF_FFFF_C7FF_FFFE) }

    /// The same class as a 256-entry table in static memory (one load per byte, no lazy
    /// initialization): faster in the field-name loop, which runs over every header name.
    @inline(__always)
    static func isTokenByTable(_ b: UInt8) -> Bool {
        let table: StaticString = """
            0000000000000000000000000000000001011111001101101111111111000000\
            0111111111111111111111111110001111111111111111111111111111101010\
            0000000000000000000000000000000000000000000000000000000000000000\
            0000000000000000000000000000000000000000000000000000000000000000
            """
        return table.utf8Start[Int(b)] == UInt8(ascii: "1")
    }

    /// Target bytes that need no second look: `isTargetChar` without "%" and "?".
    @inline(__always)
    static func isPlainTargetChar(_ b: UInt8) -> Bool { inMask(b, 0x2FFF_FFD2_0000_0000, 0x47FF_FFFE_87FF_FFFF) }

    /// `isPlainTargetChar` as a table (see `isTokenByTable`): the request line's scan for the
    /// end of the target uses it, so a plain target is found and checked in one pass.
    @inline(__always)
    static func isPlainTargetCharByTable(_ b: UInt8) -> Bool {
        let table: StaticString = """
            0000000000000000000000000000000001001011111111111111111111110100\
            1111111111111111111111111110000101111111111111111111111111100010\
            0000000000000000000000000000000000000000000000000000000000000000\
            0000000000000000000000000000000000000000000000000000000000000000
            """
        return table.utf8Start[Int(b)] == UInt8(ascii: "1")
    }

    /// Bytes a request-target may hold as is (RFC 3986 pchar, "/", "?", and "%" for escapes).
    @inline(__always)
    static func isTargetChar(_ b: UInt8) -> Bool { inMask(b, 0xAFFF_FFF2_0000_0000, 0x47FF_FFFE_87FF_FFFF) }

    /// field-vchar, SP, HTAB or obs-text (RFC 9110 §5.5): what a field value may hold.
    @inline(__always)
    static func isFieldValueByte(_ b: UInt8) -> Bool {
        b >= 0x80 || inMask(b, 0xFFFF_FFFF_0000_0200, 0x7FFF_FFFF_FFFF_FFFF)
    }

    /// qdtext (RFC 9110 §5.6.4): HTAB, SP, VCHAR except DQUOTE and backslash, obs-text.
    @inline(__always)
    static func isQuotedText(_ b: UInt8) -> Bool {
        b >= 0x80 || inMask(b, 0xFFFF_FFFB_0000_0200, 0x7FFF_FFFF_EFFF_FFFF)
    }

    /// reg-name bytes of a Host (RFC 3986 §3.2.2) without ",": a comma there is a list of hosts.
    /// A table (see `isTokenByTable`): every Host value is scanned with it.
    @inline(__always)
    static func isHostCharByTable(_ b: UInt8) -> Bool {
        let table: StaticString = """
            0000000000000000000000000000000001001111111101101111111111010100\
            0111111111111111111111111110000101111111111111111111111111100010\
            0000000000000000000000000000000000000000000000000000000000000000\
            0000000000000000000000000000000000000000000000000000000000000000
            """
        return table.utf8Start[Int(b)] == UInt8(ascii: "1")
    }

    /// The value of a hex digit, or nil.
    @inline(__always)
    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }

    /// The offset of the first control byte (below 0x20, or DEL) in `base[from..<to]`, or nil.
    /// Eight bytes at a time: CR and LF end lines, so one pass finds line ends and the bytes no
    /// line may hold; obs-text (>= 0x80) is not flagged.
    @inline(__always)
    static func indexOfControl(_ base: UnsafeRawPointer, from: Int, to: Int) -> Int? {
        var i = from
        // Sixteen bytes per branch while none is a control byte (field values are long:
        // signatures, forwarded addresses); the block with one is located eight bytes at a time.
        while i &+ 16 <= to {
            let a = controlFlags(base.loadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian)
            let b = controlFlags(base.loadUnaligned(fromByteOffset: i &+ 8, as: UInt64.self).littleEndian)
            // The block's lowest flag is exact (see below): no second look at its words.
            if a != 0 { return i &+ (a.trailingZeroBitCount >> 3) }
            if b != 0 { return i &+ 8 &+ (b.trailingZeroBitCount >> 3) }
            i &+= 16
        }
        while i &+ 8 <= to {
            let t = controlFlags(base.loadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian)
            // Borrows only flag bytes above a real match, so the lowest flag is exact.
            if t != 0 { return i &+ (t.trailingZeroBitCount >> 3) }
            i &+= 8
        }
        while i < to {
            let b = base.load(fromByteOffset: i, as: UInt8.self)
            if b < 0x20 || b == 0x7F { return i }
            i &+= 1
        }
        return nil
    }

    /// The offset of the first byte of `base[from..<to]` that is no ASCII letter or "-" (tchars:
    /// what most field names are made of), eight bytes per step; `to` when fewer than eight
    /// bytes are left past the run (the caller's byte loop takes those).
    @inline(__always)
    static func indexAfterLetters(_ base: UnsafeRawPointer, from: Int, to: Int) -> Int {
        var i = from
        while i &+ 8 <= to {
            let x = base.loadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian
            // Sums carry only out of lanes >= 0x80 (flagged bad themselves), into higher lanes:
            // every lane below the lowest bad one is exact.
            let z = x ^ 0x2D2D_2D2D_2D2D_2D2D
            let dash = ~(((z & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | z)  // lane == "-"
            let bad = (~(letterLanes(x) | dash) | x) & 0x8080_8080_8080_8080
            if bad != 0 { return i &+ (bad.trailingZeroBitCount >> 3) }
            i &+= 8
        }
        return i
    }

    /// The offset of the first byte of `base[from..<to]` that is no ASCII letter, digit, "-",
    /// "." or "/" (what paths are made of; all `isPlainTargetChar`), eight bytes per step; `to`
    /// when fewer than eight bytes are left past the run.
    @inline(__always)
    static func indexAfterPathBytes(_ base: UnsafeRawPointer, from: Int, to: Int) -> Int {
        var i = from
        while i &+ 8 <= to {
            let x = base.loadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian
            // As in `indexAfterLetters`: every lane below the lowest bad one is exact.
            let punctuationOrDigit = (x &+ 0x5353_5353_5353_5353) & ~(x &+ 0x4646_4646_4646_4646)  // 0x2D...0x39
            let bad = (~(letterLanes(x) | punctuationOrDigit) | x) & 0x8080_8080_8080_8080
            if bad != 0 { return i &+ (bad.trailingZeroBitCount >> 3) }
            i &+= 8
        }
        return i
    }

    /// The offset of the first byte of `base[from..<to]` that is no ASCII digit (a port), eight
    /// bytes per step; the words may read up to `limit` (>= `to`), past `to`. `to`, or where
    /// fewer than eight bytes are left before `limit` (the caller's byte loop takes those).
    @inline(__always)
    static func indexAfterDigits(_ base: UnsafeRawPointer, from: Int, to: Int, limit: Int) -> Int {
        var i = from
        while i < to && i &+ 8 <= limit {
            let x = base.loadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian
            // As in `indexAfterPathBytes`: every lane below the lowest bad one is exact.
            let digit = (x &+ 0x5050_5050_5050_5050) & ~(x &+ 0x4646_4646_4646_4646)  // 0x30...0x39
            let bad = (~digit | x) & 0x8080_8080_8080_8080
            if bad != 0 { return min(i &+ (bad.trailingZeroBitCount >> 3), to) }
            i &+= 8
        }
        return min(i, to)
    }

    /// 0x80 in the lanes of `x` holding an ASCII letter, exact in lanes below the lowest one
    /// >= 0x80 (sums carry only out of those).
    @inline(__always)
    static func letterLanes(_ x: UInt64) -> UInt64 {
        let y = x | 0x2020_2020_2020_2020  // A-Z to a-z; no other ASCII byte lands in a-z
        return (y &+ 0x1F1F_1F1F_1F1F_1F1F) & ~(y &+ 0x0505_0505_0505_0505)  // 0x61...0x7A
    }

    /// 0x80 in the lanes of `x` that may hold a control byte: exact for the lowest one.
    @inline(__always)
    static func controlFlags(_ x: UInt64) -> UInt64 {
        let below20 = (x &- 0x2020_2020_2020_2020) & ~x
        let y = x ^ 0x7F7F_7F7F_7F7F_7F7F
        let del = (y &- 0x0101_0101_0101_0101) & ~y
        return (below20 | del) & 0x8080_8080_8080_8080
    }

    @inline(__always)
    static func isOWS(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

}

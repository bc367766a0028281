/// Byte classes of RFC 9110/9112/3986 as 128-bit masks (two UInt64 words: bytes 0-63, 64-127).
/// Literal masks keep the checks branch-light and free of table lookups or lazy globals.
enum HTTP1ByteClass {
    @inline(__always)
    static func inMask(_ b: UInt8, _ lo: UInt64, _ hi: UInt64) -> Bool {
        if b < 64 { return (lo >> UInt64(b)) & 1 != 0 }
        if b < 128 { return (hi >> UInt64(b &- 64)) & 1 != 0 }
        return false
    }

    /// tchar (RFC 9110 §5.6.2): method, field names, transfer codings, chunk-extension names.
    @inline(__always)
    static func isToken(_ b: UInt8) -> Bool { inMask(b, 0x03FF_6CFA_0000_0000, 0x57FF_FFFF_C7FF_FFFE) }

    /// Bytes a request-target may hold as is (RFC 3986 pchar, "/", "?", and "%" for escapes).
    @inline(__always)
    static func isTargetChar(_ b: UInt8) -> Bool { inMask(b, 0xAFFF_FFF2_0000_0000, 0x47FF_FFFE_87FF_FFFF) }

    /// reg-name bytes of a Host (RFC 3986 §3.2.2) without ",": a comma there is a list of hosts.
    @inline(__always)
    static func isHostChar(_ b: UInt8) -> Bool { inMask(b, 0x2BFF_6FF2_0000_0000, 0x47FF_FFFE_87FF_FFFE) }

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

    @inline(__always)
    static func isOWS(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    /// Index of the first LF in `base[from..<to]`, eight bytes at a time (SWAR zero-byte test).
    @inline(__always)
    static func indexOfLF(_ base: UnsafeRawPointer, from: Int, to: Int) -> Int? {
        var i = from
        while i &+ 8 <= to {
            let x = base.loadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian ^ 0x0A0A_0A0A_0A0A_0A0A
            let t = (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
            // The lowest flagged byte is always a real match (false positives only sit above one).
            if t != 0 { return i &+ (t.trailingZeroBitCount >> 3) }
            i &+= 8
        }
        while i < to {
            if base.load(fromByteOffset: i, as: UInt8.self) == 0x0A { return i }
            i &+= 1
        }
        return nil
    }
}

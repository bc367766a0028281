import CLinuxShim

/// The little-endian integers and the CRC32C of the hook files' formats (cursor, parked list,
/// park record), in one place.
enum LittleEndian {
    /// Appends the low `n` bytes of `v`, least significant first.
    static func put(_ v: UInt64, _ n: Int, _ b: inout [UInt8]) {
        for i in 0..<n { b.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }

    /// The `n`-byte integer at `at`; the caller has checked the bounds.
    static func get(_ b: [UInt8], _ at: Int, _ n: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<n { v |= UInt64(b[at + i]) << (8 * UInt64(i)) }
        return v
    }

    /// CRC32C (Castagnoli), as the log's frames use.
    static func crc32c(_ b: ArraySlice<UInt8>) -> UInt32 {
        b.withUnsafeBytes { cshim_crc32c(0, $0.baseAddress, $0.count) }
    }
}

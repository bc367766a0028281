/// Time formatting without Foundation's calendar (and without ICU).
public enum Timestamp {
    /// `2026-11-22T10:00:00.123Z` for a Unix time in milliseconds (proleptic Gregorian, UTC).
    public static func iso8601(unixMs: Int64) -> String {
        let (y, m, d, secondOfDay, ms) = fields(unixMs: unixMs)
        // One allocation, digits written in place (the interpolated form below made a String
        // per field).
        if (0...9999).contains(y) {
            return String(unsafeUninitializedCapacity: 24) { b in
                writeFixed(y, m, d, secondOfDay, ms, into: UnsafeMutableRawBufferPointer(b))
                return 24
            }
        }
        return
            "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(ms, 3))Z"
    }

    /// Appends `iso8601(unixMs:)` to `out` without a String in between: every status answer
    /// holds two of these, and a String each was two of the answer's dozen allocations.
    public static func appendISO8601(unixMs: Int64, to out: inout [UInt8]) {
        let (y, m, d, secondOfDay, ms) = fields(unixMs: unixMs)
        guard (0...9999).contains(y) else { return out.append(contentsOf: iso8601(unixMs: unixMs).utf8) }
        let at = out.count
        out.append(contentsOf: repeatElement(0, count: 24))
        out.withUnsafeMutableBytes { b in
            writeFixed(y, m, d, secondOfDay, ms, into: UnsafeMutableRawBufferPointer(rebasing: b[at..<at + 24]))
        }
    }

    /// Writes the 24 bytes `appendISO8601` appends into `out` (at least 24 bytes long) and
    /// returns true when the year has four digits; false (nothing written) otherwise. For writers
    /// that fill a buffer through a pointer (the payment answer).
    public static func writeISO8601(unixMs: Int64, into out: UnsafeMutableRawBufferPointer) -> Bool {
        let (y, m, d, secondOfDay, ms) = fields(unixMs: unixMs)
        guard (0...9999).contains(y), out.count >= 24 else { return false }
        writeFixed(y, m, d, secondOfDay, ms, into: UnsafeMutableRawBufferPointer(rebasing: out[0..<24]))
        return true
    }

    private static func fields(unixMs: Int64) -> (Int, Int, Int, Int, Int) {
        let ms = Int(((unixMs % 1000) + 1000) % 1000)
        let seconds = (unixMs - Int64(ms)) / 1000
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let secondOfDay = Int(seconds - Int64(days) * 86_400)
        let (y, m, d) = civil(fromDays: days)
        return (y, m, d, secondOfDay, ms)
    }

    /// The 24 bytes of a time whose year has four digits.
    private static func writeFixed(_ y: Int, _ m: Int, _ d: Int, _ secondOfDay: Int, _ ms: Int, into b: UnsafeMutableRawBufferPointer) {
        // Two digits at a time by unsigned division by constants (a multiply each): the former
        // loop of signed divisions per digit was most of a timestamp's cost, and the payment
        // answer writes two.
        func put2(_ v: Int, _ at: Int) {
            let u = UInt(truncatingIfNeeded: v)
            b[at] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: u / 10)
            b[at + 1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: u % 10)
        }
        put2(y / 100, 0)
        put2(y % 100, 2)
        put2(m, 5)
        put2(d, 8)
        put2(secondOfDay / 3600, 11)
        put2(secondOfDay / 60 % 60, 14)
        put2(secondOfDay % 60, 17)
        b[20] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: ms / 100)
        put2(ms % 100, 21)
        (b[4], b[7], b[10], b[13], b[16], b[19], b[23]) = (0x2D, 0x2D, 0x54, 0x3A, 0x3A, 0x2E, 0x5A)  // - - T : : . Z
    }

    /// Days since 1970-01-01 to (year, month, day); Howard Hinnant's `civil_from_days`.
    public static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

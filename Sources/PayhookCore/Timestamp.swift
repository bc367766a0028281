/// Time formatting without Foundation's calendar (and without ICU).
public enum Timestamp {
    /// `2026-11-22T10:00:00.123Z` for a Unix time in milliseconds (proleptic Gregorian, UTC).
    public static func iso8601(unixMs: Int64) -> String {
        let ms = Int(((unixMs % 1000) + 1000) % 1000)
        let seconds = (unixMs - Int64(ms)) / 1000
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let secondOfDay = Int(seconds - Int64(days) * 86_400)
        let (y, m, d) = civil(fromDays: days)
        // Every status answer formats two of these: one allocation, digits written in place
        // (the interpolated form below made a String per field).
        if (0...9999).contains(y) {
            return String(unsafeUninitializedCapacity: 24) { b in
                func put(_ v: Int, _ at: Int, _ width: Int) {
                    var v = v
                    for i in stride(from: at + width - 1, through: at, by: -1) {
                        b[i] = UInt8(ascii: "0") + UInt8(v % 10)
                        v /= 10
                    }
                }
                put(y, 0, 4)
                put(m, 5, 2)
                put(d, 8, 2)
                put(secondOfDay / 3600, 11, 2)
                put(secondOfDay / 60 % 60, 14, 2)
                put(secondOfDay % 60, 17, 2)
                put(ms, 20, 3)
                (b[4], b[7], b[10], b[13], b[16], b[19], b[23]) = (0x2D, 0x2D, 0x54, 0x3A, 0x3A, 0x2E, 0x5A)  // - - T : : . Z
                return 24
            }
        }
        return
            "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(ms, 3))Z"
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

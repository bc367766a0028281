/// A `Retry-After` value (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
public enum HTTP1RetryAfter: Sendable, Equatable {
    case seconds(Int64)
    /// Unix seconds.
    case date(Int64)

    /// Parses a field value. HTTP-dates are accepted in the IMF-fixdate form only
    /// (`Sun, 06 Nov 1994 08:49:37 GMT`): the obsolete RFC 850 and asctime forms are a named
    /// strictness, since a receiver written this century sends IMF-fixdate (RFC 9110 §5.6.7).
    /// Very long delays saturate (the caller caps them anyway).
    public init?(_ value: some Collection<UInt8>) {
        let v = Array(value)
        if !v.isEmpty && v.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            var n: Int64 = 0
            for d in v { n = n > (Int64.max - 9) / 10 ? Int64.max : n * 10 + Int64(d - 0x30) }
            self = .seconds(n)
            return
        }
        guard let date = Self.imfFixdate(v) else { return nil }
        self = .date(date)
    }

    /// Milliseconds to wait from `nowUnixMs`, never negative.
    public func delayMs(nowUnixMs: Int64) -> Int64 {
        switch self {
        case .seconds(let s): s > Int64.max / 1000 ? Int64.max : s * 1000
        case .date(let unixS): max(0, unixS * 1000 - nowUnixMs)
        }
    }

    static let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `day-name "," SP 2DIGIT SP month SP 4DIGIT SP 2DIGIT ":" 2DIGIT ":" 2DIGIT SP "GMT"`.
    static func imfFixdate(_ v: [UInt8]) -> Int64? {
        guard v.count == 29, v[3] == 0x2C, v[4] == 0x20, v[7] == 0x20, v[11] == 0x20, v[16] == 0x20 else { return nil }
        guard v[19] == 0x3A, v[22] == 0x3A, v[25] == 0x20, v[26...].elementsEqual("GMT".utf8) else { return nil }
        let text = String(decoding: v, as: UTF8.self)
        guard days.contains(String(text.prefix(3))) else { return nil }
        func number(_ r: Range<Int>) -> Int? {
            v[r].allSatisfy { $0 >= 0x30 && $0 <= 0x39 } ? v[r].reduce(0) { $0 * 10 + Int($1 - 0x30) } : nil
        }
        guard let day = number(5..<7), let year = number(12..<16), let hour = number(17..<19), let minute = number(20..<22),
            let second = number(23..<25), let month = months.firstIndex(of: String(decoding: v[8..<11], as: UTF8.self))
        else { return nil }
        guard (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        return Int64(daysFromCivil(year, month + 1, day)) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

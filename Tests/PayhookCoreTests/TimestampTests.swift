import PayhookCore
import Testing

@Suite struct TimestampTests {
    @Test(
        "Unix milliseconds format as ISO 8601 UTC with milliseconds",
        arguments: [
            (Int64(0), "1970-01-01T00:00:00.000Z"),
            (1_795_341_600_123, "2026-11-22T10:00:00.123Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            // The last instant written in place, and the first past it (the general path).
            (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
            (253_402_300_800_000, "10000-01-01T00:00:00.000Z"),
        ])
    func iso(ms: Int64, expected: String) {
        #expect(Timestamp.iso8601(unixMs: ms) == expected)
    }

    @Test(
        "appendISO8601 appends the same bytes after what the buffer holds, in and past the four-digit years",
        arguments: [Int64(0), 1_795_341_600_123, -1, 253_402_300_799_999, 253_402_300_800_000, -62_167_219_200_001])
    func append(ms: Int64) {
        var out = Array("x".utf8)
        Timestamp.appendISO8601(unixMs: ms, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "x" + Timestamp.iso8601(unixMs: ms))
    }
}

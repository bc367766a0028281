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
}

import PayhookCore
import PayhookLog
import Testing

@Suite struct LogFormatStatusTests {
    @Test("status codes on disk are fixed by the format (v1) and every code round-trips")
    func codes() {
        let expected: [(PaymentStatus, UInt8)] = [
            (.created, 0), (.pending, 1), (.failed, 2), (.expired, 3), (.cancelled, 4), (.succeeded, 5), (.refunded, 6), (.unknown, 7),
        ]
        #expect(expected.count == PaymentStatus.allCases.count)
        for (status, code) in expected {
            #expect(LogFormat.statusCode(status) == code)
            #expect(LogFormat.status(code: code) == status)
        }
        #expect(LogFormat.status(code: 8) == nil)
    }
}

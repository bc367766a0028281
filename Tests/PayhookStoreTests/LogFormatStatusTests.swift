import PayhookCore
import PayhookLog
import PayhookStore
import Testing

@Suite struct LogFormatStatusTests {
    @Test("status codes on disk are fixed by the format (v1) and every code round-trips")
    func codes() {
        let expected: [(PaymentStatus, UInt8)] = [
            (.created, 0), (.pending, 1), (.failed, 2), (.expired, 3), (.cancelled, 4), (.succeeded, 5), (.refunded, 6), (.unknown, 7),
        ]
        #expect(expected.count == PaymentStatus.allCases.count)
        for (status, code) in expected {
            #expect(RecordCodec.statusCode(status) == code)
            #expect(RecordCodec.status(code: code) == status)
        }
        #expect(RecordCodec.status(code: 8) == nil)
    }
}

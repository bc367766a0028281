import PayhookCore
import Testing

@testable import PayhookLog
@testable import PayhookStore

@Suite struct EventFieldTests {
    /// `event` with the table's field `i` set to `value`.
    private func setting(_ i: Int, to value: String, in event: NormalizedEvent) -> NormalizedEvent {
        var e = event
        switch EventField.afterRequest[i] {
        case .required(_, let path): e[keyPath: path] = value
        case .optional(_, let path): e[keyPath: path] = value
        case .status: break
        }
        return e
    }

    @Test("every field of the table is encoded where the decoder reads it")
    func tableMatchesDecoder() throws {
        var e = Fixtures.event(1)
        e.seq = 1
        for i in EventField.afterRequest.indices { e = setting(i, to: "value-\(i)", in: e) }
        let record = LogRecord(seq: 1, payload: .event(Fixtures.request(), e))
        let payload = Array(RecordCodec.frame(record).dropFirst(LogFormat.frameHeaderBytes))
        #expect(try RecordCodec.decodePayload(payload[...]) == record)
    }

    @Test("the limits bound every string field of the table: N passes, N+1 is refused naming the field")
    func limitsCoverTable() throws {
        var limits = LogLimits()
        limits.maxFieldBytes = 24
        for (i, field) in EventField.afterRequest.enumerated() {
            let name: String
            switch field {
            case .required(let n, _), .optional(let n, _): name = n
            case .status: continue
            }
            let atLimit = setting(i, to: String(repeating: "x", count: 24), in: Fixtures.event(1))
            try limits.check(.event(Fixtures.request(bodyBytes: 10), atLimit))
            let over = setting(i, to: String(repeating: "x", count: 25), in: Fixtures.event(1))
            #expect(throws: RecordTooLarge(field: "\(name) bytes", bytes: 25, limit: 24)) {
                try limits.check(.event(Fixtures.request(bodyBytes: 10), over))
            }
        }
    }
}

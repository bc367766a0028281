import PayhookCore
import Testing

/// The `h2_*` limits at N and N+1 through the real binary, with the Python `h2` client
/// (`Tests/Scripts/h2abuse.py`): what a client can actually do at the limit and one past it.
@Suite(.serialized) struct HTTP2LimitIntegrationTests {
    static let protocolError = "1"
    static let flowControlError = "3"
    static let refusedStream = "7"

    func daemon(_ extra: String) throws -> DaemonProcess {
        try DaemonProcess(server: ephemeralServer(extra), sources: fixtureSources)
    }

    @Test("h2_max_concurrent_streams = 4: 4 long polls held on one connection all answer; a 5th stream is refused")
    func concurrentStreams() throws {
        let d = try daemon("h2_max_concurrent_streams = 4")
        // Sent before the client read the server's SETTINGS: the extra stream is refused alone.
        let atLimit = try h2Abuse("concurrent-early", d.admin, 4)
        for id in ["1", "3", "5", "7"] { #expect(atLimit["statuses"]?[id]?.numberText == "200", "\(id): \(atLimit)") }
        #expect(atLimit["resets"]?["9"]?.numberText == Self.refusedStream, "\(atLimit)")
        #expect(atLimit["statuses"]?["9"] == nil, "\(atLimit)")
        #expect(atLimit["goaway"] == .null, "\(atLimit)")
        // Once the client acknowledged the limit, going past it is a protocol violation:
        // libnghttp2 ends the connection with GOAWAY(PROTOCOL_ERROR).
        let acked = try h2Abuse("concurrent", d.admin, 4)
        #expect(acked["goaway"]?.numberText == Self.protocolError, "\(acked)")

        let d5 = try daemon("h2_max_concurrent_streams = 5")
        for name in ["concurrent-early", "concurrent"] {
            let under = try h2Abuse(name, d5.admin, 4)
            for id in ["1", "3", "5", "7", "9"] { #expect(under["statuses"]?[id]?.numberText == "200", "\(name) \(id): \(under)") }
            #expect(under["resets"]?["9"] == nil && under["goaway"] == .null, "\(name): \(under)")
        }
    }

    @Test("h2_stream_window_bytes = N: a client may send N body bytes ahead, not N+1; N bytes are answered")
    func streamWindow() throws {
        for n in [16_384, 16_385] {
            let d = try daemon("h2_stream_window_bytes = \(n)")
            let r = try h2Abuse("stream-window", d.ingest)
            #expect(r["window"]?.numberText == "\(n)", "\(r)")
            #expect(r["statuses"]?["1"]?.numberText == "405", "\(r)")  // POST /healthz: the whole body was taken
        }
    }

    @Test("h2_connection_window_bytes = N: N body bytes buffered close the window; one byte more is FLOW_CONTROL_ERROR")
    func connectionWindow() throws {
        let n = 100_000
        // A body must fit the connection window (max_body_bytes below it), and each stream holds
        // less than max_body_bytes, so every body stays buffered instead of being answered 413.
        let d = try daemon("max_body_bytes = 65536\nh2_stream_window_bytes = 32768\nh2_connection_window_bytes = \(n)")
        let full = try h2Abuse("connection-window", d.ingest, n)
        #expect(full["window"]?.numberText == "0", "\(full)")
        #expect(full["goaway"]?.numberText == Self.flowControlError, "\(full)")

        let room = try h2Abuse("connection-window", d.ingest, n - 1)
        #expect(room["window"]?.numberText == "1", "\(room)")
        #expect(room["goaway"] == .null, "\(room)")
        #expect(room["closed"]?.boolValue == false, "\(room)")
    }

    @Test("h2_max_resets_per_second = 20: 20 resets in a burst pass, 21 get GOAWAY")
    func resetRate() throws {
        let d = try daemon("h2_max_resets_per_second = 20")
        let atLimit = try h2Abuse("rapid-reset", d.admin, 20)
        #expect(atLimit["goaway"] == .null, "\(atLimit)")
        let over = try h2Abuse("rapid-reset", d.admin, 21)
        #expect(over["goaway"] != .null && over["goaway"] != nil, "\(over)")
        #expect(over["closed"]?.boolValue == true, "\(over)")
    }

    @Test("header_timeout_ms = 1000 bounds the wait for a request, not a busy connection: 25 requests over 2.5 s all answered")
    func busyIsNotIdle() throws {
        let d = try daemon("header_timeout_ms = 1000")
        let r = try h2Abuse("steady", d.admin, 25)
        let answered = (0..<25).filter { r["statuses"]?[String(2 * $0 + 1)]?.numberText == "200" }
        #expect(answered.count == 25, "\(r)")
        #expect(r["goaway"] == .null && r["closed"]?.boolValue == false, "\(r)")
    }
}

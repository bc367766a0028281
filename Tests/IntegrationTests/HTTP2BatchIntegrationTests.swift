import Glibc
import PayhookCore
import Testing

/// Answers given outside a read (ingest acks after the log's fdatasync) leave in one write per
/// loop turn on an h2c connection, not one write per stream.
@Suite(.serialized) struct HTTP2BatchIntegrationTests {
    static let sources = """
        [[sources]]
        name = "load"
        provider = "nonstopay"
        kind = "payin"
        signature = "none"
        allow_from = ["127.0.0.1"]
        """

    /// Write syscalls of the daemon's loop thread (its main thread: the log writer and the
    /// other workers are threads of their own), from /proc (proc(5), `syscw`).
    func loopWrites(_ d: DaemonProcess) throws -> Int {
        let io = try DaemonProcess.readFile("/proc/\(d.pid)/task/\(d.pid)/io")
        let line = try #require(io.split(separator: "\n").first { $0.hasPrefix("syscw:") })
        return try #require(Int(line.dropFirst("syscw:".count).filter { $0 != " " }))
    }

    @Test("32 ingest POSTs on one h2c connection in one write: 32 durable 200s, far fewer than 32 writes")
    func acksLeaveInOneWritePerTurn() throws {
        let d = try DaemonProcess(server: ephemeralServer(), sources: Self.sources)
        let script = #filePath.replacingSuffix("/IntegrationTests/HTTP2BatchIntegrationTests.swift") + "/Scripts/h2batch.py"
        // A first run warms the connection-independent paths (log segment, first fdatasync).
        _ = try runTool(["/usr/bin/env", "python3", script, d.ingest, "load", "4"])
        let before = try loopWrites(d)
        let (_, out) = try runTool(["/usr/bin/env", "python3", script, d.ingest, "load", "32"])
        let writes = try loopWrites(d) - before
        let line = out.split(separator: "\n").first { $0.hasPrefix("{") } ?? ""
        let verdict = try #require(try? JSONParser.parse(Array(line.utf8)), "h2batch: \(out)")
        guard case .array(let statuses)? = verdict["statuses"] else {
            Issue.record("h2batch: \(out)")
            return
        }
        #expect(statuses.count == 32 && statuses.allSatisfy { $0.numberText == "200" }, "\(out)")
        // The acks come in as many batches as the log writer made (each one fdatasync); one
        // write per stream was 32 or more. Bound: a batch per 4 acks on a loaded machine.
        #expect(writes <= 8, "\(writes) writes for 32 answers")
    }
}

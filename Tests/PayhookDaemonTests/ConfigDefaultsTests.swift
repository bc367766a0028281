import PayhookHTTP1
import PayhookHTTP2
import PayhookLog
import PayhookStore
import Testing

@testable import PayhookDaemon

/// The lower layers (PayhookHTTP1, PayhookLog) cannot see the table of settings, so they keep
/// their own defaults for standalone use; these fail when one drifts from the table's.
@Suite struct ConfigDefaultsTests {
    @Test("HTTP1Limits() equals the parser limits the daemon derives from the table's [server] defaults")
    func http1() {
        let s = Config.Server()
        let derived = HTTP1Limits(
            maxRequestLineBytes: s.maxRequestLineBytes, maxHeaderBytes: s.maxHeaderBytes, maxHeaderCount: s.maxHeaderCount,
            maxBodyBytes: s.maxBodyBytes, maxChunkExtensionBytes: s.maxChunkExtensionBytes, maxTrailerBytes: s.maxTrailerBytes)
        #expect(HTTP1Limits() == derived)
    }

    @Test("LogOptions() and RejectStoreOptions() hold the table's [storage] defaults")
    func log() {
        let s = Config.Storage()
        let o = LogOptions()
        #expect(o.segmentBytes == s.segmentBytes)
        #expect(o.maxBatchRecords == s.maxBatchRecords)
        #expect(o.snapshotEveryEvents == s.snapshotEveryEvents)
        #expect(o.retentionDays == s.retentionDays)
        #expect(o.ackedMarkIntervalMs == s.ackedMarkIntervalMs)
        let r = RejectStoreOptions()
        let mapped = RejectStoreOptions(s)
        #expect(r.maxBytes == mapped.maxBytes && r.segments == mapped.segments && r.reserveBytes == mapped.reserveBytes)
        #expect(r.queueEntries == mapped.queueEntries && r.queueBytes == mapped.queueBytes)
        #expect(r.clientRatePerSecond == mapped.clientRatePerSecond && r.clientBurst == mapped.clientBurst)
        #expect(r.maxClients == mapped.maxClients && r.shutdownMs == mapped.shutdownMs)
    }

    @Test("Server.Options() takes every [server] limit from the table")
    func serverOptions() {
        var s = Config.Server()
        s.maxConnections = 77
        s.maxPipelinedRequests = 3
        s.sendTimeoutMs = 1234
        let o = Server.Options(s)
        #expect(o.maxConnections == 77 && o.connection.maxPipelinedRequests == 3 && o.sendTimeoutMs == 1234)
        #expect(Server.Options().maxConnections == Config.Server().maxConnections)
        #expect(ConnectionLimits() == ConnectionLimits(Config.Server()))
        // PayhookHTTP2's own defaults equal the table's h2_* defaults.
        let h2 = H2Limits()
        let mapped = Server.Options().h2
        #expect(h2.maxConcurrentStreams == mapped.maxConcurrentStreams && h2.maxHeaderListBytes == mapped.maxHeaderListBytes)
        #expect(h2.connectionWindowBytes == mapped.connectionWindowBytes && h2.streamWindowBytes == mapped.streamWindowBytes)
        #expect(h2.maxResetsPerSecond == mapped.maxResetsPerSecond && h2.maxControlFramesPerSecond == mapped.maxControlFramesPerSecond)
    }
}

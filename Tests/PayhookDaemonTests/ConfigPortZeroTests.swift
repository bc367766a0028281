import Testing

@testable import PayhookDaemon

@Suite struct ConfigPortZeroTests {
    @Test("port 0 on both listeners is not a duplicate: the kernel picks a free port for each")
    func portZeroTwice() throws {
        let text = "[server]\ningest = [\"127.0.0.1:0\"]\nadmin = [\"127.0.0.1:0\"]\n"
        let config = try Config.parse(Array(text.utf8), path: "/tmp/p.toml", environment: [:])
        #expect(config.server.ingest == ["127.0.0.1:0"] && config.server.admin == ["127.0.0.1:0"])
    }
}

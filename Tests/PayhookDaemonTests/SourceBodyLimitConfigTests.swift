import Testing

@testable import PayhookDaemon

/// `[[sources]] max_body_bytes`: its range, its default, and the server's value as its ceiling.
@Suite struct SourceBodyLimitConfigTests {
    typealias S = ConfigTestSupport
    let limit = Settings.limit("sources", "max_body_bytes")

    /// `[server] max_body_bytes = server` and the source with `max_body_bytes = value` (line 9).
    func config(source value: Int?, server: Int = 8_388_608) -> String {
        "[server]\nmax_body_bytes = \(server)\n" + S.nonstopaySource + (value.map { "\nmax_body_bytes = \($0)" } ?? "")
    }

    @Test("min and max load; min-1 and max+1 fail with the range error")
    func range() throws {
        for ok in [limit.min, limit.max] {
            #expect(try S.load(config(source: ok)).get().sources[0].maxBodyBytes == ok)
        }
        for bad in [limit.min - 1, limit.max + 1] {
            #expect(S.loadError(config(source: bad)) == "F:9: `max_body_bytes` = \(bad) is out of range (\(limit.min)...\(limit.max))")
        }
    }

    @Test("default 64 KiB, or the server's value when smaller")
    func defaults() throws {
        #expect(try S.load(config(source: nil)).get().sources[0].maxBodyBytes == 65_536)
        #expect(try S.load(config(source: nil, server: 4096)).get().sources[0].maxBodyBytes == 4096)
    }

    @Test("equal to the server's value loads; one above is refused (the server's check comes first)")
    func ceiling() throws {
        #expect(try S.load(config(source: 4096, server: 4096)).get().sources[0].maxBodyBytes == 4096)
        #expect(
            S.loadError(config(source: 4097, server: 4096))?.hasPrefix("F:9: `max_body_bytes` = 4097 is above [server] max_body_bytes = 4096") == true
        )
    }
}

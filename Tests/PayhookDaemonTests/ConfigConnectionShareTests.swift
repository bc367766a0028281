import Testing

@testable import PayhookDaemon

/// How `max_connections` is shared between the listeners (`max_admin_connections`).
@Suite struct ConfigConnectionShareTests {
    typealias S = ConfigTestSupport

    @Test("max_admin_connections must be below max_connections: N-1 loads, N is refused at its line")
    func belowTotal() throws {
        func server(_ admin: Int) -> String {
            "[server]\nmax_connections = 10\nadmin_reserve_connections = 1\nmax_admin_connections = \(admin)\n" + S.nonstopaySource
        }
        #expect(try S.load(server(9)).get().server.maxAdminConnections == 9)
        #expect(S.loadError(server(10)) == "F:4: max_admin_connections (10) must be below max_connections (10): ingest keeps the rest")
    }

    @Test("unset, max_admin_connections is 256, or half of a smaller max_connections")
    func derivedDefault() throws {
        #expect(try S.load(S.nonstopaySource).get().server.maxAdminConnections == 256)
        #expect(try S.load("[server]\nmax_connections = 4096\n" + S.nonstopaySource).get().server.maxAdminConnections == 256)
        #expect(try S.load("[server]\nmax_connections = 100\n" + S.nonstopaySource).get().server.maxAdminConnections == 50)
        #expect(
            try S.load("[server]\nmax_connections = 2\nadmin_reserve_connections = 1\n" + S.nonstopaySource).get().server.maxAdminConnections == 1)
    }
}

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

/// A body must fit the HTTP/2 connection window (it is given back only as bodies leave).
@Suite struct ConfigH2WindowTests {
    typealias S = ConfigTestSupport

    @Test("h2_connection_window_bytes = max_body_bytes (N) loads; one byte less is refused at its line")
    func windowHoldsABody() throws {
        func server(_ window: Int) -> String {
            "[server]\nmax_body_bytes = 2097152\nh2_connection_window_bytes = \(window)\n" + S.nonstopaySource
        }
        #expect(try S.load(server(2_097_152)).get().server.h2ConnectionWindowBytes == 2_097_152)
        #expect(
            S.loadError(server(2_097_151))
                == "F:3: h2_connection_window_bytes (2097151) must be at least max_body_bytes (2097152): a larger body could never finish over HTTP/2"
        )
    }

    @Test("unset, the window is its default or max_body_bytes, whichever is larger")
    func derived() throws {
        #expect(try S.load(S.nonstopaySource).get().server.h2ConnectionWindowBytes == 1_048_576)
        #expect(try S.load("[server]\nmax_body_bytes = 4194304\n" + S.nonstopaySource).get().server.h2ConnectionWindowBytes == 4_194_304)
    }
}

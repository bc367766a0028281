import Testing

@testable import PayhookDaemon

/// Collects what a responder delivers.
final class RecordingSink: ConnectionSink {
    var isOpen = true
    var delivered: [(UInt64, Response)] = []
    func deliver(_ response: Response, for requestID: UInt64) { delivered.append((requestID, response)) }
}

private func route(_ router: Router, _ method: String, _ target: String, on listener: ListenerRole) -> Response? {
    let sink = RecordingSink()
    router.dispatch(Request(method: method, target: target, listener: listener), Responder(connection: sink, requestID: 0))
    return sink.delivered.first?.1
}

private func body(_ r: Response?) -> String { String(decoding: r?.body ?? [], as: UTF8.self) }

@Suite struct ServerRouterTests {
    private func router() -> Router {
        var config = Config()
        config.sources = [Config.Source(name: "noventiq", provider: .noventiq, kind: "payment", signature: .sha512Fields)]
        return DefaultRoutes.router(config: config, isReady: { true })
    }

    @Test("/healthz answers 200 on both listeners")
    func healthBoth() {
        #expect(route(router(), "GET", "/healthz", on: .ingest)?.status == 200)
        #expect(route(router(), "GET", "/healthz", on: .admin)?.status == 200)
    }

    @Test("admin routes are not reachable through ingest")
    func splitByListener() {
        let r = route(router(), "GET", "/readyz", on: .ingest)
        #expect(r?.status == 404)
        #expect(body(r) == #"{"ok":false,"error":{"code":"not_found","message":"no route for /readyz"}}"#)
        #expect(route(router(), "GET", "/readyz", on: .admin)?.status == 200)
    }

    @Test("/hooks/ is not reachable through admin")
    func hooksIngestOnly() {
        #expect(route(router(), "POST", "/hooks/noventiq", on: .admin)?.status == 404)
    }

    @Test("OPTIONS on a routed path is 204 with Allow; on an unknown path 404")
    func options() {
        let r = route(router(), "OPTIONS", "/healthz", on: .ingest)
        #expect(r?.status == 204)
        #expect(r?.headers.first { $0.name == "Allow" }?.value == "GET, HEAD, OPTIONS")
        #expect(route(router(), "OPTIONS", "/nope", on: .ingest)?.status == 404)
    }

    @Test("route parameters and query items reach the handler")
    func parameters() {
        var router = Router()
        var seen: (String?, String?, String?) = (nil, nil, nil)
        router.add(["GET"], "/v1/payments/{source}/{id}", on: [.admin]) { req, responder in
            seen = (req.parameters["source"], req.parameters["id"], req.queryItem("wait"))
            responder.respond(.json(200, "{}"))
        }
        #expect(route(router, "GET", "/v1/payments/a/b?wait=5", on: .admin)?.status == 200)
        #expect(seen.0 == "a" && seen.1 == "b" && seen.2 == "5")
        #expect(route(router, "GET", "/v1/payments/a/", on: .admin)?.status == 404)
    }

    @Test("a target splits into path and query at its first ? byte, as the HTTP/1.1 parser does, even before a combining mark")
    func targetSplit() {
        let plain = Request(method: "GET", target: "/v1/payments/s/é?wait=5&x=?")
        #expect(plain.path == "/v1/payments/s/é" && plain.query == "wait=5&x=?")
        let combining = Request(method: "GET", target: "/a?\u{301}b")
        #expect(combining.path == "/a" && combining.query == "\u{301}b")
        let none = Request(method: "GET", target: "/a")
        #expect(none.path == "/a" && none.query == "")
        let empty = Request(method: "GET", target: "/a?")
        #expect(empty.path == "/a" && empty.query == "")
    }

    @Test("three parameters (two held inline, one beyond) reach the handler, and as a dictionary")
    func threeParameters() {
        var router = Router()
        var seen: [String?] = []
        var dictionary: [String: String] = [:]
        router.add(["GET"], "/a/{x}/b/{y}/{z}", on: [.admin]) { req, responder in
            seen = [req.parameters["x"], req.parameters["y"], req.parameters["z"], req.parameters["w"]]
            dictionary = req.parameters.dictionary
            responder.respond(.json(200, "{}"))
        }
        #expect(route(router, "GET", "/a/1/b/22/333", on: .admin)?.status == 200)
        #expect(seen == ["1", "22", "333", nil])
        #expect(dictionary == ["x": "1", "y": "22", "z": "333"])
        #expect(route(router, "GET", "/a/1/c/22/333", on: .admin)?.status == 404)
        #expect(route(router, "GET", "/a/1/bb/22/333", on: .admin)?.status == 404)
    }

    @Test("a deferred responder answers later exactly once, and not at all after cancellation")
    func deferredOnce() {
        let sink = RecordingSink()
        let responder = Responder(connection: sink, requestID: 7)
        responder.respond(.json(200, "{}"))
        responder.respond(.json(500, "{}"))
        #expect(sink.delivered.count == 1 && sink.delivered[0].0 == 7)
        var cancelled = false
        let other = Responder(connection: sink, requestID: 8)
        other.onCancel = { cancelled = true }
        other.cancel()
        other.respond(.json(200, "{}"))
        #expect(cancelled && sink.delivered.count == 1)
    }

    @Test("with admin_token, admin requests need the bearer token; ingest does not")
    func adminToken() {
        var config = Config()
        config.server.adminToken = "s3cret"
        let router = DefaultRoutes.router(config: config, isReady: { true })
        #expect(route(router, "GET", "/healthz", on: .admin)?.status == 401)
        let sink = RecordingSink()
        router.dispatch(
            Request(method: "GET", target: "/healthz", headers: [("Authorization", "Bearer s3cret")], listener: .admin),
            Responder(connection: sink, requestID: 0))
        #expect(sink.delivered.first?.1.status == 200)
        #expect(route(router, "GET", "/healthz", on: .ingest)?.status == 200)
    }

    /// `withImmediateRoute` for `path`: the route's index and the values it read, as text.
    private func immediate(_ router: Router, _ path: String, isHead: Bool = false) -> (Int, [String])? {
        var path = path
        return path.withUTF8 { bytes in
            router.withImmediateRoute(UnsafeRawBufferPointer(bytes), isHead: isHead, on: .admin) { route, values in
                (route.index, (0..<values.count).map { String(decoding: values[$0], as: UTF8.self) })
            }
        }
    }

    @Test("an immediate route answers from its path's values, the same through dispatch")
    func immediateSameAnswer() {
        var router = Router()
        router.add(["GET", "HEAD"], "/p/{a}/{b}", on: [.admin]) { values in
            .json(200, "\(String(decoding: values[0], as: UTF8.self))+\(String(decoding: values[1], as: UTF8.self))")
        }
        let found = immediate(router, "/p/x%41/yy")
        #expect(found?.0 == 0 && found?.1 == ["x%41", "yy"])
        #expect(body(route(router, "GET", "/p/x%41/yy", on: .admin)) == "x%41+yy")
        #expect(route(router, "GET", "/p/x/yy", on: .ingest)?.status == 404)
        #expect(immediate(router, "/p/x") == nil && immediate(router, "/p/x/y/z") == nil && immediate(router, "/p//y") == nil)
    }

    @Test("withImmediateRoute keeps first-added-first: an ordinary route matched first, or a method it lacks, leaves it to dispatch")
    func immediateFirstMatch() {
        var router = Router()
        router.add(["GET"], "/q/fixed", on: [.admin]) { _, responder in responder.respond(.json(200, "ordinary")) }
        router.add(["GET"], "/q/{id}", on: [.admin]) { values in .json(200, String(decoding: values[0], as: UTF8.self)) }
        #expect(immediate(router, "/q/fixed") == nil)
        #expect(body(route(router, "GET", "/q/fixed", on: .admin)) == "ordinary")
        #expect(immediate(router, "/q/other")?.1 == ["other"])
        // HEAD is not among the route's methods: dispatch answers 405 with Allow.
        #expect(immediate(router, "/q/other", isHead: true) == nil)
        #expect(route(router, "HEAD", "/q/other", on: .admin)?.status == 405)
    }

    @Test("route patterns: a literal route matches its path only, a value is one non-empty segment")
    func patternBytes() {
        #expect(RoutePattern("/").match("/") != nil && RoutePattern("/").match("") == nil && RoutePattern("/").match("//") == nil)
        #expect(RoutePattern("/healthz").match("/healthz") != nil && RoutePattern("/healthz").match("/healthzz") == nil)
        #expect(RoutePattern("/healthz").match("/health") == nil && RoutePattern("/healthz").match("/healthz/") == nil)
        let three = RoutePattern("/a/{x}/b/{y}/{z}")
        let p = three.match("/a/1/b/22/333")
        #expect(p?["x"] == "1" && p?["y"] == "22" && p?["z"] == "333")
        #expect(three.match("/a/1/c/22/333") == nil && three.match("/a/1/b//333") == nil)
        #expect(RoutePattern("/{x}").match("/é")?["x"] == "é")
    }

    @Test("withImmediateRoute checks only the earlier routes that could take the same path; later ones never matter")
    func immediateOverlap() {
        #expect(RoutePattern("/a/{x}").mayOverlap(RoutePattern("/a/b")) && RoutePattern("/{x}/b").mayOverlap(RoutePattern("/a/{y}")))
        #expect(!RoutePattern("/a/{x}").mayOverlap(RoutePattern("/b/{x}")) && !RoutePattern("/a/{x}").mayOverlap(RoutePattern("/a/{x}/c")))
        var router = Router()
        router.add(["GET"], "/v/{x}/tail", on: [.admin]) { _, responder in responder.respond(.json(200, "tail")) }
        router.add(["GET"], "/v/{x}", on: [.admin]) { _, responder in responder.respond(.json(200, "ordinary")) }
        router.add(["GET"], "/w/{x}", on: [.admin]) { values in .json(200, String(decoding: values[0], as: UTF8.self)) }
        router.add(["GET"], "/v/{x}", on: [.admin]) { values in .json(200, "never") }
        router.add(["GET"], "/w/{x}", on: [.admin]) { _, responder in responder.respond(.json(200, "later")) }
        #expect(immediate(router, "/w/1")?.1 == ["1"])
        #expect(body(route(router, "GET", "/w/1", on: .admin)) == "1")
        #expect(immediate(router, "/v/1") == nil)
        #expect(body(route(router, "GET", "/v/1", on: .admin)) == "ordinary")
    }
}

extension RoutePattern {
    /// `match` of a path given as a `String`.
    fileprivate func match(_ path: String) -> PathParameters? {
        var path = path
        return path.withUTF8 { match(UnsafeRawBufferPointer($0)) }
    }
}

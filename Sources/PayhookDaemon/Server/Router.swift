/// A route's code: answers through the responder, at once or later (see `Responder`).
public typealias RouteHandler = (Request, Responder) -> Void

/// A body limit a route declares below the server's (`[[sources]] max_body_bytes`).
public struct BodyLimit: Sendable, Equatable {
    public var bytes: Int
    /// Which setting it is, for the 413 message (`max_body_bytes of source noventiq`).
    public var setting: String
    public init(bytes: Int, setting: String) {
        self.bytes = bytes
        self.setting = setting
    }
}

/// A route whose answer is ready at once and depends on its path's `{name}` values alone (a
/// status query). An HTTP/1.1 connection calls it straight from the parsed head, with no
/// `Request` or `Responder` (`Router.withImmediateRoute`); every other way (HTTP/2, an admin token
/// to check) reaches it through an ordinary handler that calls it, so the answer is the same.
/// It reads the `{name}` values as bytes (`PathValues`), valid during the call.
public typealias ImmediateHandler = (_ values: PathValues) -> Response

/// Asked once a request head with a body is parsed, with the route's path parameters.
public typealias BodyLimitProvider = (_ parameters: [String: String]) -> BodyLimit?

/// The routing table, split by listener: a route added for `.ingest` is invisible on `.admin`
/// and the other way round. Matching is first-added-first; a path that matches with another
/// method answers 405 with `Allow`, `OPTIONS` on a routed path answers 204 with `Allow`
/// (RFC 9110 section 9.3.7), and no match at all answers the JSON 404.
public struct Router {
    /// A class: every request reads several routes, and a struct's copy retained and released
    /// its arrays, closures and pattern each time (four copies a status query).
    final class Route {
        let methods: [String]
        let pattern: RoutePattern
        let handler: RouteHandler
        let bodyLimit: BodyLimitProvider?
        /// `["*"]`: every method (compared once here, not per request).
        let anyMethod: Bool
        /// Index of the pattern in `patterns` (the `route` label of the request counts).
        let index: Int
        /// Set for a route added with `immediate:`.
        let immediate: ImmediateHandler?
        let allowsGet: Bool
        let allowsHead: Bool

        init(
            methods: [String], pattern: RoutePattern, handler: @escaping RouteHandler, bodyLimit: BodyLimitProvider?, anyMethod: Bool, index: Int,
            immediate: ImmediateHandler?
        ) {
            self.methods = methods
            self.pattern = pattern
            self.handler = handler
            self.bodyLimit = bodyLimit
            self.anyMethod = anyMethod
            self.index = index
            self.immediate = immediate
            allowsGet = anyMethod || methods.contains("GET")
            allowsHead = anyMethod || methods.contains("HEAD")
        }
    }
    /// The router's state in one object, copied on write: a `Router` held in a `var` (the
    /// server's) was copied by every call on it, a retain and release of each of its four
    /// arrays and closures, twice per status query.
    final class Table {
        /// Per listener, indexed by `slot(_:)`: an array index, not a hashed key per request.
        var routes: [[Route]] = [[], []]
        /// Per listener, the immediate routes in order, each with the routes added before it
        /// that some path could match too (`RoutePattern.mayOverlap`): what `withImmediateRoute`
        /// tries, instead of every route.
        var immediates: [[(route: Route, before: [Route])]] = [[], []]
        var patterns: [String] = []
        var adminGuard: ((Request) -> APIError?)?
        var adminGuardActive: () -> Bool = { true }

        init() {}

        init(copying t: Table) {
            routes = t.routes
            immediates = t.immediates
            patterns = t.patterns
            adminGuard = t.adminGuard
            adminGuardActive = t.adminGuardActive
        }
    }
    private var state = Table()

    /// The state, alone to this router before it changes.
    private mutating func writable() -> Table {
        if !isKnownUniquelyReferenced(&state) { state = Table(copying: state) }
        return state
    }

    private var routes: [[Route]] { state.routes }
    /// Every pattern added, once each, in order: what `Responder.route` indexes.
    public var patterns: [String] { state.patterns }
    /// Checked before routing on the admin listener (bearer token); nil lets requests through.
    public var adminGuard: ((Request) -> APIError?)? {
        get { state.adminGuard }
        set { writable().adminGuard = newValue }
    }

    public init() {}

    /// Adds `handler` for `methods` (e.g. `["GET", "HEAD"]`) on `pattern` for `listeners`.
    /// `["*"]` takes every method: the handler answers 405 itself (ingest checks the source
    /// before the method, as the contract orders).
    /// `bodyLimit`: the route's own body limit, checked as soon as the head is parsed.
    public mutating func add(
        _ methods: [String], _ pattern: String, on listeners: [ListenerRole], bodyLimit: BodyLimitProvider? = nil,
        _ handler: @escaping RouteHandler
    ) {
        add(methods, pattern, on: listeners, bodyLimit: bodyLimit, immediate: nil, handler)
    }

    /// Adds a route that answers at once from its path (see `ImmediateHandler`): bodiless
    /// methods only (`GET`, `HEAD`).
    public mutating func add(_ methods: [String], _ pattern: String, on listeners: [ListenerRole], immediate: @escaping ImmediateHandler) {
        precondition(methods.allSatisfy { $0 == "GET" || $0 == "HEAD" }, "immediate routes answer GET and HEAD only")
        let compiled = RoutePattern(pattern)
        add(methods, pattern, on: listeners, bodyLimit: nil, immediate: immediate) { request, responder in
            // The router matched this pattern against this path: the values are there.
            var path = request.path
            responder.respond(path.withUTF8 { immediate(compiled.values(UnsafeRawBufferPointer($0))!) })
        }
    }

    private mutating func add(
        _ methods: [String], _ pattern: String, on listeners: [ListenerRole], bodyLimit: BodyLimitProvider?, immediate: ImmediateHandler?,
        _ handler: @escaping RouteHandler
    ) {
        let table = writable()
        let index = table.patterns.firstIndex(of: pattern) ?? table.patterns.count
        if index == table.patterns.count { table.patterns.append(pattern) }
        for listener in listeners {
            let route = Route(
                methods: methods, pattern: RoutePattern(pattern), handler: handler, bodyLimit: bodyLimit,
                anyMethod: methods == ["*"], index: index, immediate: immediate)
            let slot = Self.slot(listener)
            if immediate != nil {
                table.immediates[slot].append((route, table.routes[slot].filter { $0.pattern.mayOverlap(route.pattern) }))
            }
            table.routes[slot].append(route)
        }
    }

    /// The body limit the route of `request` declares, if any (the first route whose pattern
    /// matches, as `dispatch` would pick for its method).
    public func bodyLimit(for request: Request) -> BodyLimit? {
        var path = request.path
        return path.withUTF8 { bytes in
            for route in routes[Self.slot(request.listener)] {
                guard let provider = route.bodyLimit, route.anyMethod || route.methods.contains(request.method),
                    let params = route.pattern.match(UnsafeRawBufferPointer(bytes))
                else { continue }
                return provider(params.dictionary)
            }
            return nil
        }
    }

    /// `body` of the immediate route that `dispatch` would run for a GET (or, `isHead`, a HEAD)
    /// of the path's bytes `path` on `listener`, and of its values; nil, without calling
    /// `body`, when the first route whose pattern matches is an ordinary one or does not take
    /// the method (`dispatch` answers then: 405 with the methods of every matching route, or a
    /// later route). The route is lent, not returned: the answer's way made no copy of it to
    /// retain, release and destroy (about three hundred instructions of a status query).
    @inline(__always)
    func withImmediateRoute<R>(
        _ path: UnsafeRawBufferPointer, isHead: Bool, on listener: ListenerRole, _ body: (Route, PathValues) -> R
    ) -> R? {
        state.immediates[Self.slot(listener)].withUnsafeBufferPointer { candidates in
            for i in candidates.indices {
                guard let values = candidates[i].route.pattern.values(path) else { continue }
                // A route added before it takes this path too: `dispatch` decides.
                for earlier in candidates[i].before where earlier.pattern.matches(path) { return nil }
                let route = candidates[i].route
                guard isHead ? route.allowsHead : route.allowsGet else { return nil }
                return body(route, values)
            }
            return nil
        }
    }

    /// Whether a token is configured now (a reload may set or remove it); `adminGuard` lets
    /// every request through while this is false.
    public var adminGuardActive: () -> Bool {
        get { state.adminGuardActive }
        set { writable().adminGuardActive = newValue }
    }

    /// Whether admin requests need to pass `adminGuard` (a token is configured).
    public var guardsAdmin: Bool { adminGuard != nil && adminGuardActive() }

    private static func slot(_ role: ListenerRole) -> Int { role == .ingest ? 0 : 1 }

    /// Routes `request` and runs the matching handler (or answers the error). Returns false
    /// when the admin guard refused the request, true otherwise. `consuming`: the route's
    /// parameters are set on this request, not on a copy (a copy retains and releases each of
    /// its strings and arrays).
    @discardableResult
    public func dispatch(_ request: consuming Request, _ responder: Responder) -> Bool {
        if request.listener == .admin, let error = adminGuard?(request) {
            responder.fail(error)
            return false
        }
        route(&request, responder)
        return true
    }

    private func route(_ request: inout Request, _ responder: Responder) {
        var allowed: [String] = []
        let table = routes[Self.slot(request.listener)]
        // The first route whose pattern and method match, and the methods of those whose
        // pattern alone matched (405). On the path's bytes, taken once for every route tried.
        var path = request.path
        let chosen: (route: Route, parameters: PathParameters)? = path.withUTF8 { bytes in
            // By index: `for route in` copied each `Route` tried (a retain and release of its
            // arrays and closures per route, on every request).
            for i in table.indices {
                guard let params = table[i].pattern.match(UnsafeRawBufferPointer(bytes)) else { continue }
                if responder.route < 0 { responder.route = table[i].index }
                guard table[i].anyMethod || table[i].methods.contains(request.method) else {
                    allowed += table[i].methods.filter { !allowed.contains($0) }
                    continue
                }
                return (table[i], params)
            }
            return nil
        }
        if let (route, params) = chosen {
            if !params.isEmpty { request.parameters = params }
            return route.handler(request, responder)
        }
        if request.method == "OPTIONS" {
            if request.path == "*" { allowed = routes[Self.slot(request.listener)].flatMap(\.methods).filter { $0 != "*" } }
            if !allowed.isEmpty { return responder.respond(Response(status: 204, headers: [("Allow", Self.allowList(allowed + ["OPTIONS"]))])) }
        }
        if !allowed.isEmpty { return responder.fail(.methodNotAllowed(allow: allowed)) }
        responder.fail(.notFound(path: request.path))
    }

    private static func allowList(_ methods: [String]) -> String {
        var seen: [String] = []
        for m in methods where !seen.contains(m) { seen.append(m) }
        return seen.joined(separator: ", ")
    }
}

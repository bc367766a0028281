import PayhookCore

/// The routes every configuration has: health and readiness (ingest and the admin API are added
/// by `Runtime`), and the admin bearer-token guard.
public enum DefaultRoutes {
    /// `isReady` answers `/readyz` (200 when true, 503 otherwise).
    public static func router(config: Config, isReady: @escaping () -> Bool) -> Router {
        let token = config.server.adminToken
        return router(adminToken: { token }, isReady: isReady)
    }

    /// `adminToken` is read per request and per admin connection (the daemon's reads the live
    /// settings, so SIGHUP can change it).
    public static func router(adminToken: @escaping () -> String?, isReady: @escaping () -> Bool) -> Router {
        var router = Router()
        let healthy = Response.json(200, #"{"ok":true}"#)
        router.add(["GET", "HEAD"], "/healthz", on: [.ingest, .admin]) { _, responder in
            responder.respond(healthy)
        }
        router.add(["GET", "HEAD"], "/readyz", on: [.admin]) { _, responder in
            responder.respond(isReady() ? .json(200, #"{"ok":true,"ready":true}"#) : APIError.unavailable("not ready", retryAfterSeconds: 1).response)
        }
        router.adminGuard = { request in
            guard let token = adminToken(), !ConsoleRoute.isPublic(request) else { return nil }
            return BearerToken.matches(request.header("authorization"), token: token) ? nil : .unauthorized
        }
        router.adminGuardActive = { adminToken() != nil }
        return router
    }
}

/// `Authorization: Bearer <token>` compared in constant time (no early exit on the first
/// differing byte, so response timing does not reveal the token).
enum BearerToken {
    static func matches(_ header: String?, token: String) -> Bool {
        guard let header, header.hasPrefix("Bearer ") else { return false }
        let given = Array(header.utf8.dropFirst(7))
        let want = Array(token.utf8)
        var diff = UInt8(given.count == want.count ? 0 : 1)
        for i in 0..<want.count { diff |= want[i] ^ (i < given.count ? given[i] : 0) }
        return diff == 0
    }
}

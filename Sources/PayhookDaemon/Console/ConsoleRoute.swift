import PayhookCore

/// One embedded file of the console.
struct ConsoleAsset: Sendable {
    let name: String
    let contentType: String
    let body: [UInt8]
    /// A strong validator: FNV-1a 64 of the bytes (the bytes only change with the binary).
    let etag: String

    init(name: String, contentType: String, text: String) {
        self.name = name
        self.contentType = contentType
        body = Array(text.utf8)
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in body { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        etag = "\"" + String(h, radix: 16) + "\""
    }
}

/// `GET /` and `GET /ui/{file}` on the admin listener: the console's static files, embedded in
/// the binary. They hold no data, so they are served without the admin token (`isPublic`);
/// every API call the page makes carries the token and meets the usual guard.
enum ConsoleRoute {
    /// No inline script or style, nothing from another origin, no framing: the page can only
    /// talk to the admin API it came from.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

    static func install(into router: inout Router) {
        router.add(["GET", "HEAD"], "/", on: [.admin]) { request, responder in
            responder.respond(answer(request, name: "index.html"))
        }
        router.add(["GET", "HEAD"], "/ui/{file}", on: [.admin]) { request, responder in
            responder.respond(answer(request, name: request.parameters["file"] ?? ""))
        }
    }

    /// The console's own files pass the admin guard without a token.
    static func isPublic(_ request: Request) -> Bool {
        guard request.method == "GET" || request.method == "HEAD" else { return false }
        return request.path == "/" || (request.path.hasPrefix("/ui/") && asset(String(request.path.dropFirst(4))) != nil)
    }

    static func asset(_ name: String) -> ConsoleAsset? { ConsoleAssets.files.first { $0.name == name } }

    /// The file, or 304 when `If-None-Match` names its ETag; `no-cache` makes the browser
    /// revalidate, so a new binary's page is picked up at once and an unchanged one costs a 304.
    static func answer(_ request: Request, name: String) -> Response {
        guard let asset = asset(name) else { return APIError.notFound(path: request.path).response }
        var headers: [(name: String, value: String)] = [
            ("ETag", asset.etag), ("Cache-Control", "no-cache"), ("Content-Security-Policy", contentSecurityPolicy),
            ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"), ("X-Frame-Options", "DENY"),
        ]
        if let given = request.header("if-none-match"), matches(given, asset.etag) {
            return Response(status: 304, headers: headers)
        }
        headers.insert(("Content-Type", asset.contentType), at: 0)
        return Response(status: 200, headers: headers, body: asset.body)
    }

    /// `If-None-Match` holds a list of tags (RFC 9110 section 13.1.2), weak ones compared weakly.
    static func matches(_ header: String, _ etag: String) -> Bool {
        header.split(separator: ",").contains { part in
            let tag = String(part).trimmingSpaces
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }
}

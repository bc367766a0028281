import Glibc
import Testing

@testable import PayhookDaemon

/// The console's files are embedded through a generated Swift source (`scripts/gen-console`);
/// these fail when it is stale, and check what the route answers for them.
@Suite struct ConsoleAssetsTests {
    static func consoleFiles() -> [String: String] {
        let dir = ConfigTestSupport.repoRoot + "/console"
        var out: [String: String] = [:]
        guard let d = opendir(dir) else { return out }
        defer { closedir(d) }
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name.hasPrefix(".") { continue }
            out[name] = ConfigTestSupport.read(dir + "/" + name)
        }
        return out
    }

    @Test("ConsoleAssets.swift holds exactly the files of console/, byte for byte (run scripts/gen-console)")
    func generatedUpToDate() {
        let files = Self.consoleFiles()
        #expect(!files.isEmpty)
        #expect(Set(ConsoleAssets.files.map(\.name)) == Set(files.keys), "scripts/gen-console")
        for asset in ConsoleAssets.files {
            #expect(asset.body == Array((files[asset.name] ?? "").utf8), "\(asset.name) is stale: run scripts/gen-console")
        }
    }

    @Test("everything the page loads weighs under 100 KB")
    func underBudget() {
        let total = ConsoleAssets.files.reduce(0) { $0 + $1.body.count }
        #expect(total > 1000)
        #expect(total < 100_000, "console is \(total) bytes")
    }

    private func get(_ path: String, headers: [(name: String, value: String)] = [], token: String? = "secret-token-0123456789")
        -> Response?
    {
        var router = DefaultRoutes.router(adminToken: { token }, isReady: { true })
        ConsoleRoute.install(into: &router)
        let sink = RecordingSink()
        router.dispatch(Request(method: "GET", target: path, headers: headers, listener: .admin), Responder(connection: sink, requestID: 0))
        return sink.delivered.first?.1
    }

    private func header(_ r: Response?, _ name: String) -> String? { r?.headers.first { $0.name == name }?.value }

    @Test("GET / and /ui/ files: 200 without a token, strict CSP, ETag, no-cache; If-None-Match gives 304 without a body")
    func servesWithValidators() throws {
        let page = try #require(get("/"))
        #expect(page.status == 200)
        #expect(header(page, "Content-Type") == "text/html; charset=utf-8")
        let csp = try #require(header(page, "Content-Security-Policy"))
        #expect(csp.hasPrefix("default-src 'none'; script-src 'self'; style-src 'self'"))
        #expect(!csp.contains("unsafe-inline") && !csp.contains("http"))
        #expect(header(page, "Cache-Control") == "no-cache")
        let etag = try #require(header(page, "ETag"))
        let again = try #require(get("/", headers: [("If-None-Match", "\"x\", " + etag)]))
        #expect(again.status == 304)
        #expect(again.body.isEmpty)
        #expect(get("/", headers: [("If-None-Match", "\"other\"")])?.status == 200)
        let js = try #require(get("/ui/app.js"))
        #expect(js.status == 200 && header(js, "Content-Type") == "text/javascript; charset=utf-8")
        #expect(header(js, "ETag") != etag)
    }

    @Test("an unknown /ui/ file and the API still need the token; without one configured they pass")
    func onlyAssetsPublic() {
        #expect(get("/ui/nosuch.js")?.status == 401)
        #expect(get("/ui/")?.status == 401)
        #expect(get("/healthz")?.status == 401)
        #expect(get("/ui/nosuch.js", token: nil)?.status == 404)
        #expect(get("/ui/app.css", token: nil)?.status == 200)
    }

    @Test("If-None-Match: lists, weak tags and * match; others do not")
    func ifNoneMatch() {
        #expect(ConsoleRoute.matches("\"a\"", "\"a\""))
        #expect(ConsoleRoute.matches("W/\"a\"", "\"a\""))
        #expect(ConsoleRoute.matches("\"b\" ,\t\"a\"", "\"a\""))
        #expect(ConsoleRoute.matches("*", "\"a\""))
        #expect(!ConsoleRoute.matches("\"ab\"", "\"a\""))
        #expect(!ConsoleRoute.matches("", "\"a\""))
    }
}

@Suite struct ConsoleIndexTests {
    @Test("activity: the hour holds the last 60 minutes, the day 1440; a slot reused a day later starts from zero")
    func activityWindows() {
        var a = IngestActivity()
        let t0: Int64 = 1_000_000 * 60_000
        a.count(source: "s", .accepted, atMs: t0)
        a.count(source: "s", .rejected, by: 2, atMs: t0 + 59 * 60_000)
        #expect(a.total(source: "s", minutes: 60, atMs: t0 + 59 * 60_000) == [1, 0, 0, 2])
        #expect(a.total(source: "s", minutes: 60, atMs: t0 + 60 * 60_000) == [0, 0, 0, 2], "minute 0 left the hour")
        let hours = a.series(source: "s", buckets: 24, spanMinutes: 60, atMs: t0 + 59 * 60_000)
        #expect(hours.count == 24 && hours[23] == [1, 0, 0, 2] && hours[22] == [0, 0, 0, 0])
        #expect(a.total(source: "s", minutes: 1440, atMs: t0 + 1439 * 60_000) == [1, 0, 0, 2])
        #expect(a.total(source: "s", minutes: 1440, atMs: t0 + 1440 * 60_000) == [0, 0, 0, 2], "minute 0 left the day")
        a.count(source: "s", .duplicate, atMs: t0 + 1440 * 60_000)  // same slot as minute 0
        #expect(a.total(source: "s", minutes: 1, atMs: t0 + 1440 * 60_000) == [0, 0, 1, 0])
        #expect(a.total(source: "none", minutes: 60, atMs: t0) == [0, 0, 0, 0])
    }
}

import Glibc
import PayhookCore
import Testing

/// /metrics through the real binary after HTTP/1.1 and h2 traffic: request counts by
/// listener, protocol, route pattern and status; histograms with cumulative buckets.
@Suite(.serialized) struct MetricsIntegrationTests {
    /// `name{labels}` to value, for every sample line.
    static func scrape(_ d: DaemonProcess) throws -> [String: Double] {
        let c = try RawClient(d.admin)
        try c.send(get("/metrics"))
        let a = try #require(c.readAnswer())
        #expect(a.status == 200)
        var out: [String: Double] = [:]
        for line in a.body.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let v = Double(line[line.index(after: space)...]) else { continue }
            out[String(line[..<space])] = v
        }
        return out
    }

    /// The `_bucket` values of `name{prefix...}` in exposition order, checked to be cumulative.
    static func buckets(_ text: [String: Double], _ name: String, _ labels: String) -> [Double] {
        let bounds = text.keys.filter { $0.hasPrefix("\(name)_bucket{\(labels)le=") }
        let sorted = bounds.sorted { le($0) < le($1) }
        return sorted.map { text[$0]! }
    }

    static func le(_ key: String) -> Double {
        let v = key.split(separator: "le=\"").last!.dropLast(2)
        return v == "+Inf" ? .infinity : Double(v)!
    }

    @Test("requests counted by listener/protocol/route/status; latency, batch and fdatasync histograms cumulative")
    func afterTraffic() throws {
        let d = try DaemonProcess(server: ephemeralServer(), sources: fixtureSources)
        let f = try #require(try FixtureCase.all().first { $0.http == 200 })
        let h1 = try RawClient(d.ingest)
        try h1.send(rawPost("/hooks/\(f.source)", headers: f.headers, body: f.body))
        #expect(h1.readAnswer()?.status == 200)
        let file = DaemonProcess.makeTempDir() + "/body"
        try DaemonProcess.writeFile(file, String(decoding: f.body, as: UTF8.self))
        let viaH2 = try curlH2("http://\(d.ingest)/hooks/\(f.source)", method: "POST", headers: f.headers, bodyFile: file)
        #expect(viaH2.status == 200 && viaH2.version == "2")
        let admin = try RawClient(d.admin)
        for _ in 0..<3 {
            try admin.send(get("/v1/payments/noventiq/no-such-payment"))
            #expect(admin.readAnswer()?.status == 404)
        }
        #expect(try curlH2("http://\(d.admin)/v1/payments/noventiq/no-such-payment").status == 404)
        _ = try h2Abuse("rapid-reset", d.admin, 2000)

        let m = try Self.scrape(d)
        let status = "route=\"/v1/payments/{source}/{payment_id}\",status=\"404\"}"
        #expect(m["payhook_http_requests_total{listener=\"admin\",protocol=\"http1\",\(status)"] == 3, "\(m)")
        #expect(m["payhook_http_requests_total{listener=\"admin\",protocol=\"h2\",\(status)"] == 1)
        #expect(m["payhook_http_requests_total{listener=\"ingest\",protocol=\"http1\",route=\"/hooks/{source}\",status=\"200\"}"] == 1)
        #expect(m["payhook_http_requests_total{listener=\"ingest\",protocol=\"h2\",route=\"/hooks/{source}\",status=\"200\"}"] == 1)
        #expect(!m.keys.contains { $0.contains("no-such-payment") }, "raw paths never become labels")
        #expect(m["payhook_build_info{version=\"0.1.0\"}"] == 1)
        #expect((m["payhook_open_connections{listener=\"admin\",protocol=\"http1\"}"] ?? 0) >= 2)  // `admin` and the scrape
        #expect((m["payhook_h2_streams_reset_total{listener=\"admin\",by=\"client\"}"] ?? 0) > 0, "\(m)")
        #expect(m["payhook_h2_streams_refused_total{listener=\"admin\"}"] != nil)

        for (name, labels, atLeast) in [
            ("payhook_ingest_latency_seconds", "protocol=\"http1\",", 1.0), ("payhook_ingest_latency_seconds", "protocol=\"h2\",", 1.0),
            ("payhook_log_fsync_batch_records", "", 2.0), ("payhook_log_fdatasync_seconds", "", 2.0),
        ] {
            let b = Self.buckets(m, name, labels)
            #expect(b.count > 5, "\(name)")
            #expect(zip(b, b.dropFirst()).allSatisfy { $0 <= $1 }, "\(name) buckets cumulative: \(b)")
            let plain = labels.isEmpty ? "" : "{\(labels.dropLast())}"
            #expect(b.last == m["\(name)_count\(plain)"] && (b.last ?? 0) >= atLeast, "\(name): \(b)")
            #expect(m["\(name)_sum\(plain)"] != nil)
        }

        // Counters only grow from one scrape to the next.
        try admin.send(get("/v1/payments/noventiq/no-such-payment"))
        _ = admin.readAnswer()
        let again = try Self.scrape(d)
        #expect(again["payhook_http_requests_total{listener=\"admin\",protocol=\"http1\",\(status)"] == 4)
        for (key, value) in m where key.contains("_bucket{") || key.hasSuffix("_total") {
            #expect((again[key] ?? -1) >= value, "\(key)")
        }
    }
}

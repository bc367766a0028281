import FoundationEssentials
import PayhookHTTP1
import Testing

/// Replays the Http11Probe cases of `../shared/conformance/http11probe.json` (read in place,
/// never copied into the repository) against the parser alone and checks that its verdict is
/// compatible with each case: requests that must be refused are refused with a listed status
/// (or accepted only when the listed refusal is a routing matter the server decides, such as
/// 404/405), and valid requests parse.
@Suite struct HTTP1ConformanceTests {
    struct Probe: Decodable {
        var cases: [ProbeCase]
    }

    struct ProbeCase: Decodable {
        var id: String
        var level: String
        var request_b64: String
        var pass_statuses: [StatusSpec]
        var fail_statuses: [StatusSpec]
        var no_response_timeout: String
        var accept_any_2xx_4xx_meaning_parsed: Bool
    }

    /// An integer status or a class such as "4xx".
    struct StatusSpec: Decodable {
        var code: Int?
        var klass: Int?
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(Int.self) {
                code = n
            } else {
                klass = Int(try c.decode(String.self).prefix(1))
            }
        }
        func matches(_ status: Int) -> Bool { code == status || klass == status / 100 }
    }

    enum Verdict {
        case accepted
        case rejected(Int)
        case incomplete
    }

    /// Statuses that only the server's routing can produce (the parser accepts those requests).
    static let routingStatuses: Set<Int> = [404, 405, 426, 501]

    static let probeFile: String? = {
        let override = ProcessInfo.processInfo.environment["PAYHOOK_CONFORMANCE_DIR"].map { $0 + "/http11probe.json" }
        var dir = String(#filePath)
        var candidates = override.map { [$0] } ?? []
        for _ in 0..<6 {
            guard let slash = dir.lastIndex(of: "/") else { break }
            dir = String(dir[..<slash])
            candidates.append(dir + "/shared/conformance/http11probe.json")
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }()

    static func verdict(_ raw: [UInt8]) -> Verdict {
        let t = SplitFeeder.whole(raw)
        if !t.requests.isEmpty { return .accepted }
        if let error = t.error { return .rejected(error.status) }
        return .incomplete
    }

    static func compatible(_ c: ProbeCase, _ verdict: Verdict) -> Bool {
        let pass = c.pass_statuses
        switch verdict {
        case .rejected(let status):
            if c.fail_statuses.contains(where: { $0.matches(status) }) { return false }
            return pass.isEmpty || pass.contains { $0.matches(status) }
        case .accepted:
            let errorOnly = !pass.isEmpty && pass.allSatisfy { ($0.code ?? ($0.klass! * 100)) >= 400 }
            if !errorOnly { return true }
            return c.accept_any_2xx_4xx_meaning_parsed || pass.contains { $0.code.map(routingStatuses.contains) ?? false }
        case .incomplete:
            // The server answers a request that never completes with 408 when its timer fires.
            return pass.contains { $0.matches(408) } || c.no_response_timeout == "pass"
        }
    }

    @Test(
        "Http11Probe cases: the parser's verdict is compatible with every must case",
        .enabled(if: probeFile != nil, "../shared/conformance/http11probe.json not found next to the repository: skipped")
    )
    func probeCases() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.probeFile!))
        let probe = try JSONDecoder().decode(Probe.self, from: data)
        var score: [String: (ok: Int, total: Int)] = [:]
        var mustFailures: [String] = []
        var otherFailures: [String] = []
        for c in probe.cases {
            let raw = [UInt8](Data(base64Encoded: c.request_b64)!)
            let v = Self.verdict(raw)
            let ok = Self.compatible(c, v)
            score[c.level, default: (0, 0)].total += 1
            if ok {
                score[c.level, default: (0, 0)].ok += 1
            } else if c.level == "must" {
                mustFailures.append("\(c.id): \(v)")
            } else {
                otherFailures.append("\(c.level) \(c.id): \(v)")
            }
        }
        let summary = ["must", "should", "may"].map { "\($0) \(score[$0]?.ok ?? 0)/\(score[$0]?.total ?? 0)" }
        print("http11probe (parser level): \(summary.joined(separator: ", ")); not compatible: \(otherFailures)")
        #expect(mustFailures.isEmpty, "\(mustFailures)")
        #expect(probe.cases.count >= 100)
    }
}

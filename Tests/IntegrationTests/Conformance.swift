import FoundationEssentials
import Glibc

/// The Http11Probe-derived cases (`../shared/conformance/http11probe.json`) and the rules of its
/// `semantics` object, applied to raw answers from the real daemon.
struct ConformanceCase: Decodable, Sendable {
    enum StatusPattern: Decodable, Sendable {
        case code(Int)
        case klass(Int)
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(Int.self) {
                self = .code(n)
                return
            }
            let s = try c.decode(String.self)  // "2xx"
            self = .klass(Int(String(s.prefix(1))) ?? 0)
        }
        func matches(_ status: Int) -> Bool {
            switch self {
            case .code(let n): return n == status
            case .klass(let k): return status / 100 == k
            }
        }
    }
    struct Check: Decodable, Sendable {
        var on: [StatusPattern]
        var require_header: String?
        var forbid_header: String?
        var header_regex: String?
        var empty_body: Bool?
        var body_not_contains: String?
        var `else`: String
    }
    struct Followup: Decodable, Sendable {
        var diagnostic: Bool?
        var when_first: [StatusPattern]?
        var pass_statuses: [StatusPattern]?
        var other_statuses: String?
        var multiple_responses: String?
        var if_closed_first: String?
    }
    var id: String
    var level: String
    var request_b64: String
    var pass_statuses: [StatusPattern]
    var warn_statuses: [StatusPattern]
    var fail_statuses: [StatusPattern]
    var other_statuses: String
    var must_close: Bool
    var warn_must_close: Bool
    var if_not_closed: String
    var closed_any_status: Bool
    var no_response_closed: String
    var no_response_timeout: String
    var accept_any_2xx_4xx_meaning_parsed: Bool
    var max_final_responses: Int?
    var forbid_1xx: Bool
    var checks: [Check]
    var followup_b64: String?
    var followup: Followup?

    var request: [UInt8] { Array(Data(base64Encoded: request_b64) ?? Data()) }
    var followupRequest: [UInt8] {
        followup_b64.flatMap { Data(base64Encoded: $0) }.map { Array($0) } ?? Array("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)
    }

    static func load(_ path: String) throws -> [ConformanceCase] {
        struct File: Decodable { var cases: [ConformanceCase] }
        let text = try DaemonProcess.readFile(path)
        return try JSONDecoder().decode(File.self, from: Data(text.utf8)).cases
    }
}

/// What came back on one connection.
struct Exchange {
    var statuses: [Int] = []  // every status line, 1xx included
    var firstFinal: RawClient.Answer?
    var closed = false  // EOF or reset seen
    var finalCount: Int { statuses.filter { $0 >= 200 }.count }
}

enum Verdict: Int, Comparable {
    case pass = 0
    case warn = 1
    case fail = 2
    init(_ s: String) { self = s == "pass" ? .pass : s == "warn" ? .warn : .fail }
    static func < (a: Verdict, b: Verdict) -> Bool { a.rawValue < b.rawValue }
}

extension ConformanceCase {
    /// Runs the case on a fresh connection to `address` and judges it per `semantics`.
    func run(address: String) -> (Verdict, String) {
        guard let client = try? RawClient(address, timeoutMs: 1000) else { return (.fail, "connect failed") }
        try? client.send(request)
        let isHead = request.starts(with: Array("HEAD ".utf8))
        var ex = client.collect(graceMs: 300, headRequest: isHead)
        // "order": 1xx and response-count failures first.
        if forbid_1xx && ex.statuses.contains(where: { $0 < 200 }) { return (.fail, "1xx sent") }
        if let max = max_final_responses, ex.finalCount > max { return (.fail, "\(ex.finalCount) final answers") }
        guard let first = ex.firstFinal else {
            return ex.closed ? (Verdict(no_response_closed), "no answer, closed") : (Verdict(no_response_timeout), "no answer, timeout")
        }
        let status = first.status
        if fail_statuses.contains(where: { $0.matches(status) }) { return (.fail, "status \(status)") }
        if closed_any_status && ex.closed { return (.pass, "closed after \(status)") }
        var verdict: Verdict
        let parsed =
            accept_any_2xx_4xx_meaning_parsed && (status / 100 == 2 || (status / 100 == 4 && ![400, 408, 411, 413, 414, 431].contains(status)))
        if let f = followup, f.diagnostic != true, let when = f.when_first, when.contains(where: { $0.matches(status) }) {
            if ex.closed { return (Verdict(f.if_closed_first ?? "pass"), "closed before follow-up") }
            try? client.send(followupRequest)
            let second = client.collect(graceMs: 300)
            if second.finalCount > 1 { return (Verdict(f.multiple_responses ?? "fail"), "follow-up: several answers") }
            if let s = second.firstFinal?.status, (f.pass_statuses ?? []).contains(where: { $0.matches(s) }) { return (.pass, "follow-up \(s)") }
            return (Verdict(f.other_statuses ?? "fail"), "follow-up \(second.firstFinal.map { "\($0.status)" } ?? "none")")
        }
        var mustClose = false
        if pass_statuses.contains(where: { $0.matches(status) }) || parsed {
            verdict = .pass
            mustClose = must_close
        } else if warn_statuses.contains(where: { $0.matches(status) }) {
            verdict = .warn
            mustClose = warn_must_close
        } else {
            verdict = Verdict(other_statuses)
        }
        var why = "status \(status)"
        for check in checks where check.on.contains(where: { $0.matches(status) }) {
            if !check.passes(first) {
                verdict = max(verdict, Verdict(check.else))
                why += ", check failed"
            }
        }
        if mustClose && !ex.closed {
            // Not closed yet: a second request on the same connection must get no answer.
            try? client.send(followupRequest)
            let second = client.collect(graceMs: 1000)
            ex.closed = second.closed
            if second.firstFinal != nil || !second.closed {
                verdict = max(verdict, Verdict(if_not_closed))
                why += ", connection not closed"
            }
        }
        return (verdict, why)
    }
}

extension ConformanceCase.Check {
    func passes(_ a: RawClient.Answer) -> Bool {
        if let h = require_header {
            guard let value = a.header(h) else { return false }
            if let pattern = header_regex, let regex = try? Regex(pattern), (try? regex.wholeMatch(in: value)) == nil { return false }
        }
        if let h = forbid_header, a.header(h) != nil { return false }
        if empty_body == true, !a.body.isEmpty { return false }
        if let s = body_not_contains, a.body.contains(s) { return false }
        return true
    }
}

extension RawClient {
    /// Reads answers until the server closes, the receive timeout passes without a first
    /// answer, or `graceMs` passes without more bytes after one.
    func collect(graceMs: Int, headRequest: Bool = false) -> Exchange {
        var ex = Exchange()
        while true {
            guard let answer = readAnswer(headRequest: headRequest) else {
                ex.closed = lastReadWasEnd
                return ex
            }
            ex.statuses.append(answer.status)
            if answer.status >= 200 && ex.firstFinal == nil { ex.firstFinal = answer }
            if answer.status >= 200 { setReceiveTimeout(ms: graceMs) }
        }
    }
}

import Glibc
import PayhookCore
import PayhookProviders
import Testing

/// Sources matching the shared fixtures (`Tests/Fixtures/fixtures.json`), plus a guarded one.
let fixtureSources = """
    [[sources]]
    name = "noventiq"
    provider = "noventiq"
    kind = "payment"
    secret = "secret_key"
    [[sources]]
    name = "nonstopay-payin"
    provider = "nonstopay"
    kind = "payin"
    signature = "hmac-sha256-hex"
    secret = "nonstopay-test-secret"
    [[sources]]
    name = "nonstopay-nft"
    provider = "nonstopay"
    kind = "nft"
    signature = "hmac-sha256-hex"
    secret = "nonstopay-test-secret"
    [[sources]]
    name = "nonstopay-payout"
    provider = "nonstopay"
    kind = "payout"
    signature = "hmac-sha256-hex"
    secret = "nonstopay-test-secret"
    [[sources]]
    name = "guarded"
    provider = "nonstopay"
    kind = "payin"
    signature = "hmac-sha256-hex"
    secret = "nonstopay-test-secret"
    allow_from = ["203.0.113.0/24"]
    """

/// One case of fixtures.json.
struct FixtureCase {
    var name: String
    var source: String
    var body: [UInt8]
    var headers: [(String, String)]
    var expect: [String: String]
    var http: Int

    static let folder = #filePath.replacingSuffix("/IntegrationTests/IngestSupport.swift") + "/Fixtures"

    static func all() throws -> [FixtureCase] {
        let index = try JSONParser.parse(try DaemonProcess.readBytes(folder + "/fixtures.json"))
        return try (index["cases"]?.arrayElements ?? []).map { c in
            var expect: [String: String] = [:]
            for (k, v) in c["expect"]?.objectMembers ?? [] { expect[k] = v.stringValue ?? v.numberText }
            return FixtureCase(
                name: c["name"]?.stringValue ?? "", source: c["source"]?.stringValue ?? "",
                body: try DaemonProcess.readBytes(folder + "/" + (c["body_file"]?.stringValue ?? "")),
                headers: (c["headers"]?.objectMembers ?? []).map { ($0.key, $0.value.stringValue ?? "") },
                expect: expect, http: Int(expect["http"] ?? "0") ?? 0)
        }
    }
}

/// A signed Nonstopay request (hmac-sha256-hex with the fixtures' secret).
func nonstopayRequest(_ source: String, body: String, extraHeaders: String = "") -> String {
    let signature = Encoding.hex(Crypto.hmacSHA256(key: Array("nonstopay-test-secret".utf8), message: Array(body.utf8)))
    return "POST /hooks/\(source) HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nX-Signature: \(signature)\r\n"
        + extraHeaders + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
}

func rawPost(_ path: String, headers: [(String, String)], body: [UInt8]) -> [UInt8] {
    var head = "POST \(path) HTTP/1.1\r\nHost: t\r\n"
    for (k, v) in headers { head += "\(k): \(v)\r\n" }
    head += "Content-Length: \(body.count)\r\n\r\n"
    return Array(head.utf8) + body
}

/// The parsed JSON body of an answer.
func json(_ answer: RawClient.Answer?) -> JSONValue? {
    guard let answer else { return nil }
    return try? JSONParser.parse(Array(answer.body.utf8))
}

extension DaemonProcess {
    static func readBytes(_ path: String) throws -> [UInt8] {
        Array(try readFile(path).utf8)
    }
}

import Glibc
import PayhookCore
import PayhookProviders
import Testing

/// The fixture files in `Tests/Fixtures`, found from this file's path.
enum Fixtures {
    static let directory: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(2)  // PayhookProvidersTests/FixtureSupport.swift
        return parts.joined(separator: "/") + "/Fixtures"
    }()

    /// The bytes of `Tests/Fixtures/<relativePath>`; traps when missing (a broken checkout).
    static func bytes(_ relativePath: String) -> [UInt8] {
        let path = directory + "/" + relativePath
        guard let file = fopen(path, "rb") else { fatalError("cannot open fixture \(path)") }
        defer { fclose(file) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    static func json(_ relativePath: String) -> JSONValue {
        do { return try JSONParser.parse(bytes(relativePath)) } catch { fatalError("fixture \(relativePath): \(error)") }
    }

    /// The cases of the shared `fixtures.json` (sources configured from its `secrets`).
    static let shared: [FixtureCase] = {
        let root = json("fixtures.json")
        let secrets = root["secrets"]!
        return root["cases"]!.arrayElements!.map { c in
            let isNoventiq = c["provider"]?.stringValue == "noventiq"
            let scheme = isNoventiq ? "sha512-fields" : secrets["nonstopay_signature"]!.stringValue!
            let secret = secrets[isNoventiq ? "noventiq" : "nonstopay"]!.stringValue!
            return FixtureCase(c, scheme: scheme, secrets: [Array(secret.utf8)])
        }
    }()

    /// Our own variants (`variants/variants.json`, written by `variants/generate.py`).
    static let variants: [FixtureCase] = {
        json("variants/variants.json")["cases"]!.arrayElements!.map { c in
            let secrets = c["secrets"]!.arrayElements!.map { secretBytes($0.stringValue!) }
            return FixtureCase(c, scheme: c["scheme"]!.stringValue!, secrets: secrets)
        }
    }()

    /// `file:<path>` reads a fixture file (PEM keys); anything else is the literal secret.
    static func secretBytes(_ text: String) -> [UInt8] {
        text.hasPrefix("file:") ? bytes(String(text.dropFirst(5))) : Array(text.utf8)
    }
}

/// One request and what must come of it.
struct FixtureCase: Sendable, CustomTestStringConvertible {
    let name: String
    let source: ProviderSource
    let headers: [(name: String, value: String)]
    let body: [UInt8]
    let expect: JSONValue

    init(_ c: JSONValue, scheme: String, secrets: [[UInt8]]) {
        name = c["name"]!.stringValue!
        var eventSecrets: [String: [[UInt8]]] = [:]
        for (event, list) in c["event_secrets"]?.objectMembers ?? [] {
            eventSecrets[event] = list.arrayElements!.map { Array($0.stringValue!.utf8) }
        }
        source = ProviderSource(
            name: c["source"]!.stringValue!, provider: ProviderSource.Provider(rawValue: c["provider"]!.stringValue!)!,
            kind: c["kind"]!.stringValue!, scheme: ProviderSource.Scheme(rawValue: scheme)!, secrets: secrets,
            eventSecrets: eventSecrets)
        headers = c["headers"]!.objectMembers!.map { (name: $0.key, value: $0.value.stringValue!) }
        body = Fixtures.bytes(c["body_file"]!.stringValue!)
        expect = c["expect"]!
    }

    var testDescription: String { name }
}

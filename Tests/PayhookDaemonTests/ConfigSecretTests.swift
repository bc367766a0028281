import Testing

@testable import PayhookDaemon

/// Secrets never appear in error messages, warnings or descriptions of the config.
@Suite struct ConfigSecretTests {
    typealias S = ConfigTestSupport
    static let secret = "Sup3rS3cretValue"

    /// Configs that fail while a secret is at hand; none may echo it.
    static let failing: [(String, [String: String])] = [
        ("[[sources]]\nname = \"a\"\nprovider = \"noventiq\"\nsecret = 1234567890123", [:]),  // wrong type
        ("[[sources]]\nname = \"a\"\nprovider = \"noventiq\"\nsecret = [\"\(secret)\", 5]", [:]),  // wrong element
        ("[[sources]]\nname = \"a\"\nprovider = \"noventiq\"\nsecret = \"\(secret)\\q\"", [:]),  // bad escape
        ("[[sources]]\nname = \"a\"\nprovider = \"noventiq\"\nsecret = \(secret)", [:]),  // unquoted
        ("[[sources]]\nname = \"a\"\nprovider = \"noventiq\"\nsecret = \"\(secret)", [:]),  // unterminated
        ("[[sources]]\nname = \"a\"\nprovider = \"noventiq\"\nsecret = \"\(secret)\" junk", [:]),  // trailing junk
        ("[[sources]]\nname = \"a\"\nprovider = \"nonstopay\"\nkind = \"payin\"\nsignature = \"rsa-sha256\"\nsecret_file = \"k\"", ["k": secret]),
        ("[[sources]]\nname = \"a\"\nprovider = \"noventiq\"\n[sources.event_secrets]\n\"e\" = [\"\(secret)\", {}]", [:]),
        ("[server]\nadmin_token = \"\(secret) with spaces\"", [:]),
        ("[server]\nadmin_token = \"\(secret.prefix(10))\"", [:]),
        ("[server]\nadmin_token_file = \"t\"\nadmin_token = \"\(secret)\"", [:]),
        ("[[hooks]]\nname = \"h\"\ncommand = [\"/bin/true\"]\nsigning_secret = \"\(secret)\"\nsigning_secret_file = \"x\"", [:]),
        ("[[hooks]]\nname = \"h\"\ncommand = [\"/bin/true\"]\nsigning_secret = [\"\(secret)\"]", [:]),
    ]

    @Test("no refusal message quotes a secret value")
    func errorsDoNotLeak() {
        for (index, (text, files)) in Self.failing.enumerated() {
            let message = S.loadError(text, extraFiles: files)
            #expect(message != nil, "case \(index) loaded")
            #expect(message?.contains(Self.secret) == false, "case \(index): \(message ?? "")")
            #expect(message?.contains(String(Self.secret.prefix(10))) == false, "case \(index): \(message ?? "")")
        }
    }

    @Test("a secret pasted where a key goes is an unknown key, without the value on its right")
    func pastedKey() {
        let message = S.loadError("[[sources]]\nname = \"a\"\nprovider = \"noventiq\"\nk = \"\(Self.secret)\"")
        #expect(message == "F:4: unknown key `k` in [[sources]]")
    }

    @Test("descriptions, debug descriptions and dumps of a loaded config show no secret")
    func descriptionsRedact() throws {
        let text = """
            [server]
            admin_token = "\(Self.secret)-admin"
            [[sources]]
            name = "a"
            provider = "noventiq"
            secret = "\(Self.secret)-source"
            [sources.event_secrets]
            "order.created" = "\(Self.secret)-event"
            [[hooks]]
            name = "h"
            command = ["/bin/true"]
            signing_secret = "\(Self.secret)-hook"
            """
        let config = try S.load(text).get()
        #expect(config.sources[0].secrets == [Array("\(Self.secret)-source".utf8)])
        var dumped = ""
        dump(config, to: &dumped)
        let secretBytes = Array(Self.secret.utf8).map(String.init).joined(separator: ", ")
        for rendering in ["\(config)", String(reflecting: config), dumped, "\(config.sources)", "\(config.hooks[0])"] {
            #expect(!rendering.contains(Self.secret))
            #expect(!rendering.contains(secretBytes))  // nor as a byte array
            #expect(rendering.contains("redacted"))
        }
    }

    @Test("warnings name the source, not its secrets")
    func warningsDoNotLeak() throws {
        let config = try S.load(
            """
            [[sources]]
            name = "open"
            provider = "nonstopay"
            kind = "payin"
            signature = "none"
            secret = "\(Self.secret)"
            allow_from = ["192.0.2.1"]
            """
        ).get()
        #expect(config.warnings.count == 1)
        #expect(!config.warnings[0].description.contains(Self.secret))
    }
}

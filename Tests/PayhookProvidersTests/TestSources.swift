import PayhookProviders

/// Sources and helpers shared by the unit tests.
enum TestSources {
    static let nonstopaySecret = Array("nonstopay-test-secret".utf8)
    static let noventiqSecret = Array("secret_key".utf8)

    static func nonstopay(_ scheme: ProviderSource.Scheme = .hmacSHA256Hex, kind: String = "payin", secrets: [[UInt8]]? = nil) -> ProviderSource {
        ProviderSource(name: "nonstopay-\(kind)", provider: .nonstopay, kind: kind, scheme: scheme, secrets: secrets ?? [nonstopaySecret])
    }

    static func noventiq(secrets: [[UInt8]]? = nil, eventSecrets: [String: [[UInt8]]] = [:]) -> ProviderSource {
        ProviderSource(
            name: "noventiq", provider: .noventiq, kind: "payment", scheme: .sha512Fields, secrets: secrets ?? [noventiqSecret],
            eventSecrets: eventSecrets)
    }

    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
}

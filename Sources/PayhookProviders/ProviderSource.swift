import PayhookCore

/// One configured callback source, as the adapters need it (the daemon maps `Config.Source` to
/// this). Secrets are raw bytes; for `rsa-sha256` each "secret" is a PEM public key.
public struct ProviderSource: Sendable, Equatable {
    public enum Provider: String, Sendable, Equatable, CaseIterable {
        case nonstopay, noventiq
    }

    /// How a request proves it comes from the provider (see `providers.md`).
    public enum Scheme: String, Sendable, Equatable, CaseIterable {
        /// HMAC of the raw body, in `X-Signature`, hex (either case) or base64.
        case hmacSHA256Hex = "hmac-sha256-hex"
        case hmacSHA256Base64 = "hmac-sha256-base64"
        case hmacSHA512Hex = "hmac-sha512-hex"
        case hmacSHA512Base64 = "hmac-sha512-base64"
        /// RSASSA-PKCS1-v1_5 SHA-256 over the raw body, base64 in `X-Signature`; PEM public keys.
        case rsaSHA256 = "rsa-sha256"
        /// Noventiq: hex SHA-512 of `secret;event;order_id;create_date;payment_method;currency;
        /// customer.email`, in `signature`.
        case sha512Fields = "sha512-fields"
        /// No signature; the daemon must restrict the source with `allow_from`.
        case none

        /// The request header that carries the signature (matched case-insensitively).
        public var headerName: String {
            switch self {
            case .sha512Fields: "signature"
            default: "x-signature"
            }
        }
    }

    public var name: String
    public var provider: Provider
    /// nonstopay: `payin`, `nft` or `payout`; noventiq: `payment`.
    public var kind: String
    public var scheme: Scheme
    /// Secrets tried for every request (rotation: any one matching is enough).
    public var secrets: [[UInt8]]
    /// Noventiq: secrets per `event`, tried before (in addition to) `secrets`.
    public var eventSecrets: [String: [[UInt8]]]
    /// Bounds on the body's JSON.
    public var jsonLimits: JSONLimits

    public init(
        name: String, provider: Provider, kind: String, scheme: Scheme, secrets: [[UInt8]] = [],
        eventSecrets: [String: [[UInt8]]] = [:], jsonLimits: JSONLimits = JSONLimits()
    ) {
        self.name = name
        self.provider = provider
        self.kind = kind
        self.scheme = scheme
        self.secrets = secrets
        self.eventSecrets = eventSecrets
        self.jsonLimits = jsonLimits
    }

    /// The kinds each provider knows (`design.md`, Config).
    public static func kinds(of provider: Provider) -> [String] {
        provider == .nonstopay ? ["payin", "nft", "payout"] : ["payment"]
    }

    /// What makes this source unusable, as messages that never quote secret material; empty when
    /// the source is fine. `check-config` prints these.
    public func configurationProblems() -> [String] {
        var problems: [String] = []
        if !Self.kinds(of: provider).contains(kind) {
            problems.append("kind \"\(kind)\" is not one of \(Self.kinds(of: provider).joined(separator: ", ")) for \(provider.rawValue)")
        }
        if provider == .noventiq, scheme != .sha512Fields, scheme != .none {
            problems.append("noventiq sources use signature \"sha512-fields\"")
        }
        if provider == .nonstopay, scheme == .sha512Fields {
            problems.append("signature \"sha512-fields\" is Noventiq's scheme, not nonstopay's")
        }
        if provider != .noventiq, !eventSecrets.isEmpty {
            problems.append("event_secrets is only meaningful for noventiq sources")
        }
        if scheme != .none, secrets.isEmpty, eventSecrets.values.allSatisfy(\.isEmpty) {
            problems.append("signature \"\(scheme.rawValue)\" needs at least one secret")
        }
        if scheme == .rsaSHA256 {
            for (i, pem) in secrets.enumerated() where !Crypto.isUsableRSAPublicKey(pem) {
                problems.append("secret #\(i + 1) is not a PEM RSA public key")
            }
        }
        return problems
    }
}

import PayhookProviders

/// The key both hook signatures use: the secret's UTF-8 bytes, or, for a secret written
/// `whsec_<base64>` (the Standard Webhooks convention), the decoded bytes after the prefix.
public struct HookSigningKey: Sendable, Equatable {
    public let bytes: [UInt8]

    /// Nil for an empty key or a `whsec_` secret whose rest is not base64 (a config error).
    public init?(secret: String) {
        let prefix = "whsec_"
        if secret.utf8.starts(with: prefix.utf8) {
            // By bytes: a combining mark after the prefix would make "_" and it one Character.
            let rest = String(decoding: secret.utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
            guard let decoded = Encoding.decodeBase64(rest), !decoded.isEmpty else { return nil }
            bytes = decoded
        } else {
            guard !secret.isEmpty else { return nil }
            bytes = Array(secret.utf8)
        }
    }
}

/// The signature headers of one hook request (design.md, Hooks): payhookd's own
/// `Payhook-Signature` and the Standard Webhooks (standardwebhooks.com) triple.
public enum HookSigning {
    /// `t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`.
    public static func payhookSignature(key: HookSigningKey, timestampS: Int64, body: [UInt8]) -> String {
        let mac = Crypto.hmacSHA256(key: key.bytes, message: Array("\(timestampS).".utf8) + body)
        return "t=\(timestampS),v1=\(Encoding.hex(mac))"
    }

    /// `v1,<base64 HMAC-SHA256 of "id.t.body">`, the `webhook-signature` value.
    public static func standardSignature(key: HookSigningKey, eventID: String, timestampS: Int64, body: [UInt8]) -> String {
        let mac = Crypto.hmacSHA256(key: key.bytes, message: Array("\(eventID).\(timestampS).".utf8) + body)
        return "v1," + Encoding.base64(mac)
    }

    /// Every signature header, in sending order, names as sent.
    public static func headers(key: HookSigningKey, eventID: String, timestampS: Int64, body: [UInt8]) -> [(name: String, value: String)] {
        [
            ("Payhook-Signature", payhookSignature(key: key, timestampS: timestampS, body: body)),
            ("webhook-id", eventID),
            ("webhook-timestamp", String(timestampS)),
            ("webhook-signature", standardSignature(key: key, eventID: eventID, timestampS: timestampS, body: body)),
        ]
    }
}

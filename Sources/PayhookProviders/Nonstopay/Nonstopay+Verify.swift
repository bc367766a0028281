/// Nonstopay: payin, NFT and payout callbacks (see `providers.md`).
public enum Nonstopay {
    /// HMAC of the raw body with each secret, against `X-Signature` in hex (either case) or base64.
    static func verifyHMAC(
        _ hash: Crypto.Hash, hex: Bool, _ signature: Substring, source: ProviderSource, body: [UInt8]
    ) -> Verification {
        let decoded = hex ? Encoding.decodeHex(signature) : Encoding.decodeBase64(signature)
        guard let provided = decoded, provided.count == hash.digestBytes else { return .rejected(.malformedSignature) }
        guard !source.secrets.isEmpty else { return .rejected(.noSecret) }
        let expected = source.secrets.map { Crypto.hmac(hash, key: $0, message: body) }
        return Providers.anyMatches(expected, provided) ? .verified(by: source.scheme.rawValue) : .rejected(.signatureMismatch)
    }

    /// RSA-SHA256 over the raw body, base64 signature, one PEM public key per secret.
    static func verifyRSA(_ signature: Substring, source: ProviderSource, body: [UInt8]) -> Verification {
        guard let provided = Encoding.decodeBase64(signature), !provided.isEmpty else { return .rejected(.malformedSignature) }
        guard !source.secrets.isEmpty else { return .rejected(.noSecret) }
        var valid = false
        var usableKeys = 0
        for pem in source.secrets {
            switch Crypto.verifyRSASHA256(publicKeyPEM: pem, message: body, signature: provided) {
            case .valid:
                valid = true
                usableKeys += 1
            case .invalid: usableKeys += 1
            case .unusableKey: break
            }
        }
        if valid { return .verified(by: source.scheme.rawValue) }
        return .rejected(usableKeys == 0 ? .unusableKey : .signatureMismatch)
    }
}

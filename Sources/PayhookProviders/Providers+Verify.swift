/// Provider adapters: verification and normalization, pure functions of bytes, secrets and time.
public enum Providers {
    /// Checks the request's signature on the raw body, before anything else is believed.
    ///
    /// Every configured secret is tried (rotation) and compared in constant time; the result
    /// says only whether one matched. Header names match case-insensitively.
    public static func verify(_ source: ProviderSource, headers: [(name: String, value: String)], body: [UInt8]) -> Verification {
        if source.scheme == .none { return .verified(by: source.scheme.rawValue) }
        let values = headers.filter { asciiLowercased($0.name) == source.scheme.headerName }
        guard let header = values.first else { return .rejected(.missingSignature) }
        guard values.count == 1 else { return .rejected(.duplicateSignature) }
        let signature = trimmingWhitespace(header.value)
        guard !signature.isEmpty else { return .rejected(.missingSignature) }
        switch source.scheme {
        case .hmacSHA256Hex: return Nonstopay.verifyHMAC(.sha256, hex: true, signature, source: source, body: body)
        case .hmacSHA256Base64: return Nonstopay.verifyHMAC(.sha256, hex: false, signature, source: source, body: body)
        case .hmacSHA512Hex: return Nonstopay.verifyHMAC(.sha512, hex: true, signature, source: source, body: body)
        case .hmacSHA512Base64: return Nonstopay.verifyHMAC(.sha512, hex: false, signature, source: source, body: body)
        case .rsaSHA256: return Nonstopay.verifyRSA(signature, source: source, body: body)
        case .sha512Fields: return Noventiq.verify(signature, source: source, body: body)
        case .none: return .verified(by: source.scheme.rawValue)
        }
    }

    static func asciiLowercased(_ s: String) -> String {
        String(decoding: s.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// Strips spaces and tabs (HTTP's OWS, RFC 9110 section 5.6.3) around a field value.
    static func trimmingWhitespace(_ s: String) -> Substring {
        let isOWS: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = s.firstIndex(where: { !isOWS($0) }) else { return "" }
        let last = s.lastIndex(where: { !isOWS($0) })!
        return s[first...last]
    }

    /// Whether any of `candidates` equals `provided`. Each comparison runs in constant time and
    /// all of them run, so timing reveals neither the match nor which secret matched.
    static func anyMatches(_ candidates: [[UInt8]], _ provided: [UInt8]) -> Bool {
        var matched: UInt8 = 0
        for candidate in candidates {
            matched |= Crypto.constantTimeEquals(candidate, provided) ? 1 : 0
        }
        return matched != 0
    }
}

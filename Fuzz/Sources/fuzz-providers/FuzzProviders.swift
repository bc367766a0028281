// libFuzzer entry for the pure provider code: the JSON parser and every verifier and normalizer.
// Besides "does not crash", it checks invariants that must hold for any input:
// - whatever parses re-emits compactly and re-parses to the same value;
// - a body signed correctly (HMAC over its bytes, Noventiq fields) always verifies;
// - normalize never fails, and its event is consistent (identity, amount text, quarantine id);
// - the event renders as JSON that parses.
import PayhookCore
import PayhookProviders

private let hmacSecret: [UInt8] = Array("fuzz-secret".utf8)

private let sources: [ProviderSource] = [
    ProviderSource(
        name: "noventiq", provider: .noventiq, kind: "payment", scheme: .sha512Fields, secrets: [hmacSecret],
        eventSecrets: ["order.created": [Array("per-event".utf8)]]),
    ProviderSource(name: "nonstopay-payin", provider: .nonstopay, kind: "payin", scheme: .hmacSHA256Hex, secrets: [hmacSecret]),
    ProviderSource(name: "nonstopay-nft", provider: .nonstopay, kind: "nft", scheme: .hmacSHA512Base64, secrets: [hmacSecret]),
    ProviderSource(name: "nonstopay-payout", provider: .nonstopay, kind: "payout", scheme: .hmacSHA256Base64, secrets: [hmacSecret]),
    ProviderSource(name: "nonstopay-open", provider: .nonstopay, kind: "payout", scheme: .none),
    ProviderSource(name: "nonstopay-rsa", provider: .nonstopay, kind: "payin", scheme: .rsaSHA256, secrets: [Array((testPublicKeyPEM + "\n").utf8)]),
]

/// Checked once (globals are initialized lazily, once): a broken key would silently turn the RSA
/// source into an "unusable key" test.
private let rsaKeyIsUsable = Crypto.isUsableRSAPublicKey(Array((testPublicKeyPEM + "\n").utf8))

/// Tests/Fixtures/rsa/test-public.pem (public half of a throw-away test key).
private let testPublicKeyPEM = """
    -----BEGIN PUBLIC KEY-----
    MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA4F92BDmVpAj+f7kKBRP8
    aFXs8z+ciCiX35A1Bb+lkTwQbUMo1YqDi+8BjvUQ0F69+1Mwhk6ohXLFn89SWEez
    X4nq836iU+ocopc1lNFIYVi0u+keVAQfTcKc10JSLv9NhE00wbCkZzDsKLFH0sf/
    A+ru15bTh3hM3vlIOhCFxuu17+4BWHuxbGiOhrnMw/9fpJTPg7unZV8SbWpY03Ts
    ja3sPxcJp7EaEzxd8lsoTJ7Gv8iDiwi7oTuD0K9CrRLbqU1xhTi5f95iXkQ89AIR
    TUZbnJfhRKE8SMpLpgLxpmXRAGXwjtPPLDoTKiNP2TtRuY2boQ3vchcAyakjG59N
    vQIDAQAB
    -----END PUBLIC KEY-----
    """

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    precondition(rsaKeyIsUsable, "the embedded RSA test key does not load")
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    fuzzJSON(body)
    for source in sources {
        let verifiedBy = fuzzVerify(source, body)
        for previous in [nil, PaymentStatus.succeeded] {
            fuzzNormalize(source, body, verifiedBy: verifiedBy, previous: previous)
        }
    }
    return 0
}

private func fuzzJSON(_ body: [UInt8]) {
    for limits in [JSONLimits(), JSONLimits(maxNestingDepth: 3, allowDuplicateKeys: true)] {
        guard let value = try? JSONParser.parse(body, limits: limits) else { continue }
        let compact = value.compactBytes()
        let again = try? JSONParser.parse(compact, limits: limits)
        precondition(again == value, "compact re-emit does not re-parse to the same value")
    }
}

/// Signs the body the way the source expects, then checks that it verifies and that a wrong
/// signature does not. Returns the scheme name for `normalize`.
private func fuzzVerify(_ source: ProviderSource, _ body: [UInt8]) -> String {
    let header = source.scheme.headerName
    var good: String? = nil
    switch source.scheme {
    case .hmacSHA256Hex: good = Encoding.hex(Crypto.hmacSHA256(key: hmacSecret, message: body))
    case .hmacSHA256Base64: good = Encoding.base64(Crypto.hmacSHA256(key: hmacSecret, message: body))
    case .hmacSHA512Base64: good = Encoding.base64(Crypto.hmacSHA512(key: hmacSecret, message: body))
    case .sha512Fields:
        if let value = try? JSONParser.parse(body, limits: source.jsonLimits), value.objectMembers != nil {
            good = Noventiq.signature(secret: hmacSecret, body: value)
        }
    default: break
    }
    if let good {
        let result = Providers.verify(source, headers: [(name: header, value: good)], body: body)
        precondition(result.isVerified, "a correct signature was refused")
        if source.scheme == .hmacSHA256Hex || source.scheme == .sha512Fields {
            let upper = Providers.verify(source, headers: [(name: header, value: good.uppercased())], body: body)
            precondition(upper.isVerified, "hex signatures must compare case-insensitively")
        }
    }
    // The input itself as a signature: must never crash, and may only verify for `none`.
    let junk = String(decoding: body.prefix(200), as: UTF8.self)
    let result = Providers.verify(source, headers: [(name: header, value: junk)], body: body)
    if source.scheme == .none { precondition(result == .verified(by: "none")) }
    return source.scheme.rawValue
}

private func fuzzNormalize(_ source: ProviderSource, _ body: [UInt8], verifiedBy: String, previous: PaymentStatus?) {
    let event = Providers.normalize(source, body: body, receivedAtMs: 1_795_860_000_123, verifiedBy: verifiedBy, previousStatus: previous)
    precondition(event.source == source.name && event.verifiedBy == verifiedBy)
    if let reason = event.quarantined {
        precondition(event.id.hasPrefix("\(source.name):quarantine:") && event.status == .unknown && !reason.isEmpty)
    } else {
        let paymentID = event.paymentID!
        let providerEvent = event.providerEvent!
        precondition(event.id == EventID.make(source: source.name, paymentID: paymentID, event: providerEvent))
        let parts = EventID.components(event.id)
        precondition(
            parts.map { [$0.source, $0.paymentID, $0.event].map(ByteString.init) } == [source.name, paymentID, providerEvent].map(ByteString.init))
        precondition(!paymentID.isEmpty && !providerEvent.isEmpty)
    }
    if let amount = event.amount {
        precondition(amount.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D }, "amount is not decimal text")
    }
    let json = event.jsonBytes(data: event.quarantined == "not_json" ? nil : body)
    // `data` nests the body one level deeper than the body itself.
    let eventLimits = JSONLimits(maxNestingDepth: source.jsonLimits.maxNestingDepth + 1)
    precondition((try? JSONParser.parse(json, limits: eventLimits)) != nil, "event JSON does not parse")
}

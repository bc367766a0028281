import PayhookCore
import PayhookProviders
import Testing

@Suite struct NormalizeTests {
    func normalize(_ source: ProviderSource, _ body: String) -> NormalizedEvent {
        Providers.normalize(source, body: TestSources.bytes(body), receivedAtMs: 42, verifiedBy: "x", previousStatus: nil)
    }

    @Test("a quarantined event's id is <source>:quarantine:<first 32 hex of the body's SHA-256>")
    func quarantineID() {
        let body = "not json"
        let event = normalize(TestSources.nonstopay(), body)
        let digest = Encoding.hex(Crypto.sha256(TestSources.bytes(body)))
        #expect(event.id == "nonstopay-payin:quarantine:" + digest.prefix(32))
        #expect(event.quarantined == "not_json")
        #expect(event.status == .unknown)
        #expect(event.paymentID == nil)
        #expect(event.receivedAtMs == 42 && event.verifiedBy == "x")
    }

    @Test("identical bodies give the same quarantine id, different bodies different ids, per source")
    func quarantineStable() {
        let a = normalize(TestSources.noventiq(), "[1]")
        #expect(a.id == normalize(TestSources.noventiq(), "[1]").id)
        #expect(a.id != normalize(TestSources.noventiq(), "[2]").id)
        #expect(a.id != normalize(TestSources.nonstopay(), "[1]").id)
        #expect(a.quarantined == "not_object")
    }

    @Test("the source's JSON depth limit applies: N levels normalize, N+1 quarantine as not_json")
    func depthLimit() {
        var source = TestSources.nonstopay()
        source.jsonLimits = JSONLimits(maxNestingDepth: 3)
        #expect(normalize(source, #"{"status":"invoice:paid","id":1,"callbackJson":{"a":[1]}}"#).quarantined == nil)
        #expect(normalize(source, #"{"status":"invoice:paid","id":1,"callbackJson":{"a":[[1]]}}"#).quarantined == "not_json")
    }

    @Test("an empty body is not_json and an empty object lacks the first required field")
    func emptyBodies() {
        #expect(normalize(TestSources.nonstopay(), "").quarantined == "not_json")
        #expect(normalize(TestSources.nonstopay(), "{}").quarantined == "missing_field:status")
        #expect(normalize(TestSources.noventiq(), "{}").quarantined == "missing_field:event")
    }

    @Test("the normalized event renders as payhook.event/v1 JSON with the body as data")
    func rendersJSON() throws {
        let body = Fixtures.bytes("nonstopay-payin-paid.json")
        let event = Providers.normalize(
            TestSources.nonstopay(), body: body, receivedAtMs: 1_795_860_000_123, verifiedBy: "hmac-sha256-hex", previousStatus: nil)
        let json = try JSONParser.parse(event.jsonBytes(data: body))
        #expect(json["id"]?.stringValue == "nonstopay-payin:1736:invoice%3Apaid")
        #expect(json["amount"]?.stringValue == "5")
        #expect(json["status"]?.stringValue == "succeeded")
        #expect(json["data"] == (try JSONParser.parse(body)))
    }
}

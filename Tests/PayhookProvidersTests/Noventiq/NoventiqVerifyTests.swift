import PayhookCore
import PayhookProviders
import Testing

@Suite struct NoventiqVerifyTests {
    let documented = Fixtures.bytes("noventiq-order-created.json")

    func verify(_ source: ProviderSource, _ signature: String, _ body: [UInt8]) -> Verification {
        Providers.verify(source, headers: [(name: "Signature", value: signature)], body: body)
    }

    func sign(_ secret: String, _ body: String) -> String {
        Noventiq.signature(secret: Array(secret.utf8), body: try! JSONParser.parse(Array(body.utf8)))!
    }

    @Test("the documented example: the signed string and the digest starting 1d0e480e14922b2e")
    func documentedExample() throws {
        let body = try JSONParser.parse(documented)
        #expect(
            try Noventiq.signedSuffix(of: body) == Array(";order.created;5555555;2021-08-13T09:16:35+03:00;CreditCard;EUR;customer@gmail.com".utf8))
        let plain = Encoding.hex(
            Crypto.sha512(Array("secret_key;order.created;5555555;2021-08-13T09:16:35+03:00;CreditCard;EUR;customer@gmail.com".utf8)))
        #expect(plain.hasPrefix("1d0e480e14922b2e"))
        #expect(Noventiq.signature(secret: TestSources.noventiqSecret, body: body) == plain)
        #expect(verify(TestSources.noventiq(), plain, documented) == .verified(by: "sha512-fields"))
        #expect(verify(TestSources.noventiq(), plain.uppercased(), documented) == .verified(by: "sha512-fields"))
    }

    @Test("payment_method falls back to the top level when payment has none (missing or null)")
    func paymentMethodFallback() throws {
        let top = #"{"event":"e","order_id":1,"payment_method":"Top"}"#
        let nested = #"{"event":"e","order_id":1,"payment":{"payment_method":"Nested"},"payment_method":"Top"}"#
        let nullNested = #"{"event":"e","order_id":1,"payment":{"payment_method":null},"payment_method":"Top"}"#
        for (body, method) in [(top, "Top"), (nested, "Nested"), (nullNested, "Top")] {
            let suffix = try Noventiq.signedSuffix(of: JSONParser.parse(Array(body.utf8)))
            #expect(suffix == Array(";e;1;;\(method);;".utf8))
        }
    }

    @Test("missing and null values count as empty; strings are unescaped; numbers keep their text")
    func fieldTexts() throws {
        let body = #"{"event":"order.created","order_id":98765432109876543210,"create_date":null,"currency":"EUR","customer":{"email":"a\u0040b.c"}}"#
        #expect(
            try Noventiq.signedSuffix(of: try JSONParser.parse(Array(body.utf8))) == Array(";order.created;98765432109876543210;;;EUR;a@b.c".utf8))
    }

    @Test("signed fields that are objects, arrays or booleans make the body unverifiable")
    func unverifiable() {
        let cases = [
            #"{"event":true,"order_id":1}"#, #"{"event":"e","order_id":[1]}"#, #"{"event":"e","order_id":1,"customer":{"email":{}}}"#,
            "[]", "not json", #"{"event":"e","event":"f","order_id":1}"#,
        ]
        for body in cases {
            #expect(verify(TestSources.noventiq(), String(repeating: "0", count: 128), Array(body.utf8)) == .rejected(.unverifiableBody))
        }
    }

    @Test("a body nested deeper than the JSON limit is unverifiable; at the limit it verifies")
    func depthLimit() {
        var source = TestSources.noventiq()
        source.jsonLimits = JSONLimits(maxNestingDepth: 2)
        let ok = #"{"event":"e","order_id":1,"x":[1]}"#
        let deep = #"{"event":"e","order_id":1,"x":[[1]]}"#
        #expect(verify(source, sign("secret_key", ok), Array(ok.utf8)).isVerified)
        #expect(verify(source, sign("secret_key", deep), Array(deep.utf8)) == .rejected(.unverifiableBody))
    }

    @Test("any changed signed field breaks the signature; an unsigned field does not")
    func tampering() {
        let base =
            #"{"event":"order.payment.succeeded","order_id":7,"create_date":"d","currency":"EUR","customer":{"email":"e"},"payment":{"payment_method":"m"},"status":"paid"}"#
        let signature = sign("secret_key", base)
        #expect(verify(TestSources.noventiq(), signature, Array(base.utf8)).isVerified)
        for (from, to) in [
            ("order_id\":7", "order_id\":8"), ("\"d\"", "\"D\""), ("EUR", "USD"), ("\"e\"}", "\"f\"}"), ("\"m\"", "\"n\""), ("succeeded", "failed"),
        ] {
            #expect(verify(TestSources.noventiq(), signature, Array(base.replacing(from, with: to).utf8)) == .rejected(.signatureMismatch))
        }
        #expect(verify(TestSources.noventiq(), signature, Array(base.replacing("\"paid\"", with: "\"deleted\"").utf8)).isVerified)
    }

    @Test("per-event secrets are tried with the defaults: both pass; another event's secret does not")
    func eventSecrets() {
        let body = #"{"event":"order.created","order_id":1}"#
        let source = TestSources.noventiq(
            secrets: [Array("default".utf8)],
            eventSecrets: [
                "order.created": [Array("created-old".utf8), Array("created-new".utf8)], "product.returned": [Array("returned".utf8)],
            ])
        for secret in ["created-old", "created-new", "default"] {
            #expect(verify(source, sign(secret, body), Array(body.utf8)).isVerified)
        }
        #expect(verify(source, sign("returned", body), Array(body.utf8)) == .rejected(.signatureMismatch))
    }

    @Test("with only event secrets, an event that has none is no_secret")
    func onlyEventSecrets() {
        let source = TestSources.noventiq(secrets: [], eventSecrets: ["order.created": [Array("s".utf8)]])
        let body = #"{"event":"order.payment.failed","order_id":1}"#
        #expect(verify(source, sign("s", body), Array(body.utf8)) == .rejected(.noSecret))
    }

    @Test("a hex signature of the wrong length or with non-hex characters is malformed")
    func malformed() {
        #expect(verify(TestSources.noventiq(), String(repeating: "0", count: 64), documented) == .rejected(.malformedSignature))
        #expect(verify(TestSources.noventiq(), String(repeating: "g", count: 128), documented) == .rejected(.malformedSignature))
    }
}

import PayhookCore
import Testing

@testable import PayhookDaemon

/// `IngestOutcome.response`: the one place an ingest outcome becomes the provider's answer.
@Suite struct IngestOutcomeTests {
    func body(_ r: Response) throws -> JSONValue { try JSONParser.parse(r.body) }

    @Test("stored, quarantined and duplicate answer 200 with id, seq and the flags")
    func accepted() throws {
        let stored = IngestOutcome.stored(id: "s:1:a%3Ab", seq: 4).response
        #expect(stored.status == 200 && stored.headers.contains { $0 == ("Content-Type", "application/json") })
        #expect(String(decoding: stored.body, as: UTF8.self) == #"{"ok":true,"id":"s:1:a%3Ab","seq":4,"duplicate":false}"#)
        let q = try body(IngestOutcome.quarantined(id: "s:quarantine:ab", seq: 5, reason: "not_json").response)
        #expect(q["quarantined"]?.stringValue == "not_json" && q["duplicate"]?.boolValue == false)
        let d = try body(IngestOutcome.duplicate(id: "s:1:x", of: 2, quarantined: nil).response)
        #expect(d["duplicate"]?.boolValue == true && d["seq"]?.numberText == "2" && d["quarantined"] == nil)
        let dq = try body(IngestOutcome.duplicate(id: "s:quarantine:ab", of: 5, quarantined: "not_json").response)
        #expect(dq["duplicate"]?.boolValue == true && dq["quarantined"]?.stringValue == "not_json")
    }

    @Test(
        "refusals and unavailability answer with their status and error code",
        arguments: [
            (IngestOutcome.rejected(.methodNotAllowed), 405, "method_not_allowed"),
            (.rejected(.unsupportedMediaType), 415, "unsupported_media_type"),
            (.rejected(.forbidden(client: "6.6.6.6")), 403, "forbidden"),
            (.rejected(.badSignature(.signatureMismatch)), 401, "bad_signature"),
            (.unavailable(message: "full", retryAfterSeconds: 30), 503, "unavailable"),
        ])
    func refused(_ outcome: IngestOutcome, _ status: Int, _ code: String) throws {
        let r = outcome.response
        #expect(r.status == status)
        #expect(try body(r)["error"]?["code"]?.stringValue == code)
        #expect(!outcome.isDurable)
        if status == 405 { #expect(r.headers.contains { $0 == ("Allow", "POST") }) }
        if status == 503 { #expect(r.headers.contains { $0 == ("Retry-After", "30") }) }
    }

    @Test("refusal names are the metric and summary reasons")
    func names() {
        #expect(IngestOutcome.Refusal.forbidden(client: "x").name == "forbidden")
        #expect(IngestOutcome.Refusal.badSignature(.missingSignature).name == "missing_signature")
        #expect(IngestOutcome.stored(id: "a", seq: 1).isDurable && IngestOutcome.duplicate(id: "a", of: 1, quarantined: nil).isDurable)
    }
}

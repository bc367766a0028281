import PayhookCore
import PayhookStore

/// The body of `GET /v1/payments/{source}/{payment_id}`, written straight into one buffer; also
/// the value of a NATS hook's status bucket entry (one shape for both readers).
///
/// The keys are constants, so they are appended as they are instead of being checked for escapes
/// one by one (`JSONWriter.key`), and values go through `JSONWriter` only when they need an
/// escape. Status queries are the admin API's hot path: this was a fifth of the route's time.
/// The bytes are the same as `JSONWriter` writes (AdminPaymentJSONTests compares them).
enum PaymentJSON {
    /// `verifiedBy`: the source's signature scheme (which fields the signature covers); a source
    /// no longer configured has none, and every field is listed as unsigned.
    static func encode(_ state: PaymentState, verifiedBy: String) -> [UInt8] {
        render(state, unsigned: SignatureCoverage.unsignedPaymentFields(verifiedBy: verifiedBy, status: state.status))
    }

    static func render(_ state: PaymentState, unsigned: [String]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        // Keys and punctuation are literals: copied from their static bytes, not through a
        // String's UTF8View (an index step and check per byte).
        func raw(_ s: StaticString) { out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)) }
        func string(_ s: String) { quoted(s, into: &out) }
        func stringOrNull(_ s: String?) { if let s { string(s) } else { raw("null") } }
        raw(#"{"source":"#)
        string(state.source)
        raw(#","provider":"#)
        string(state.provider)
        raw(#","kind":"#)
        string(state.kind)
        raw(#","payment_id":"#)
        string(state.paymentID)
        raw(#","merchant_ref":"#)
        stringOrNull(state.merchantRef)
        raw(#","status":"#)
        string(state.status.rawValue)
        raw(#","provider_status":"#)
        stringOrNull(state.providerStatus)
        raw(#","amount":"#)
        stringOrNull(state.amount)
        raw(#","currency":"#)
        stringOrNull(state.currency)
        raw(#","unsigned":["#)
        for (i, field) in unsigned.enumerated() {
            if i > 0 { raw(",") }
            string(field)
        }
        // ISO 8601 timestamps and integers never need an escape.
        raw(#"],"first_seen":""#)
        Timestamp.appendISO8601(unixMs: state.firstSeenMs, to: &out)
        raw(#"","last_seen":""#)
        Timestamp.appendISO8601(unixMs: state.lastSeenMs, to: &out)
        raw(#"","last_seq":"#)
        ASCIIDecimal.append(state.lastSeq, to: &out)
        raw(#","events":"#)
        ASCIIDecimal.append(UInt64(state.events), to: &out)
        raw("}")
        return out
    }

    /// `s` as a JSON string: copied whole when no byte needs an escape, else by `JSONWriter`.
    /// One look at the string's contiguous bytes checks and copies them.
    static func quoted(_ s: String, into out: inout [UInt8]) {
        var s = s
        let copied = s.withUTF8 { bytes -> Bool in
            guard bytes.allSatisfy({ $0 >= 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) else {
                return false
            }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: bytes)
            out.append(UInt8(ascii: "\""))
            return true
        }
        guard !copied else { return }
        var w = JSONWriter(reservingCapacity: s.utf8.count + 16)
        w.string(s)
        out.append(contentsOf: w.bytes)
    }
}

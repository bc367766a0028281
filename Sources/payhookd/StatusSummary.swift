import PayhookCore

/// The readable form of `payhookd status`: the payment's fields, one per line, then its last
/// events (newest last), from the JSON of `/v1/payments/{source}/{id}` and `.../events`.
enum StatusSummary {
    /// Events shown at most (the newest).
    static let eventsShown = 10

    static func render(payment: JSONValue, events: JSONValue?) -> String {
        func text(_ v: JSONValue?) -> String { v?.stringValue ?? v?.numberText ?? "-" }
        var amount = text(payment["amount"])
        if let currency = payment["currency"]?.stringValue { amount += " " + currency }
        let unsigned = (payment["unsigned"]?.arrayElements ?? []).compactMap(\.stringValue)
        var lines = [
            "payment     \(text(payment["source"]))/\(text(payment["payment_id"])) (\(text(payment["provider"])) \(text(payment["kind"])))",
            "status      \(text(payment["status"]))" + (payment["provider_status"]?.stringValue.map { " (provider: \($0))" } ?? ""),
            "amount      \(amount)",
            "merchant    \(text(payment["merchant_ref"]))",
            "first seen  \(text(payment["first_seen"]))",
            "last seen   \(text(payment["last_seen"])) (seq \(text(payment["last_seq"])))",
            "events      \(text(payment["events"]))",
            "unsigned    \(unsigned.isEmpty ? "none" : unsigned.joined(separator: ", "))",
        ]
        let list = events?["events"]?.arrayElements ?? []
        if events == nil {
            lines.append("(the events could not be read)")
        } else if !list.isEmpty {
            lines.append("last events:")
            for e in list.suffix(eventsShown) {
                let flags = e["quarantined"].map { $0.isNull ? "" : "  quarantined" } ?? ""
                let amountText = e["amount"].map { " " + text($0) } ?? ""
                lines.append(
                    "  #\(text(e["seq"]))  \(text(e["received_at"]))  \(text(e["status"]))\(amountText)  \(text(e["provider_event"]))  \(text(e["id"]))\(flags)"
                )
            }
        }
        return lines.joined(separator: "\n")
    }
}

import PayhookCore

extension Nonstopay {
    /// Reads an invoice-info shaped body, flat or wrapped in a `data` object.
    static func fields(of root: JSONValue, kind: String) throws(Quarantine) -> Fields {
        let body = unwrapped(root)
        let status = try body.requiredString("status")
        let id = try body.requiredID("id", digitsOnly: false)
        return Fields(
            paymentID: paymentID(id: id, status: status, kind: kind), event: status,
            status: Self.status(for: status), providerStatus: status,
            merchantRef: body.optionalString("callbackJson") ?? body.optionalString("merchant_data"),
            amount: DecimalText.amount(body["amount"]),
            currency: body.optionalNonEmptyString("devise") ?? body.optionalNonEmptyString("currency"),
            occurredAt: body.optionalString("datetime") ?? body.optionalString("status_date"))
    }

    /// The flat body, or its `data` object when the top level has no `status` but a `data` object.
    static func unwrapped(_ root: JSONValue) -> JSONValue {
        if root["status"] == nil, let data = root["data"], data.objectMembers != nil { return data }
        return root
    }

    /// Payout funds and payout payments have separate id spaces: `fund:<id>` / `payment:<id>`,
    /// from the status family. Invoices (payin, nft) use the id itself.
    static func paymentID(id: String, status: String, kind: String) -> String {
        guard kind == "payout" else { return id }
        let family = status.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return family.isEmpty || family.count == status.count ? id : "\(Providers.asciiLowercased(String(family))):\(id)"
    }
}

import PayhookCore

extension Noventiq {
    /// Reads a Payments notification: `event` and `order_id` are required.
    static func fields(of body: JSONValue, previousStatus: (String) -> PaymentStatus?) throws(Quarantine) -> Fields {
        let event = try body.requiredString("event")
        let orderID = try body.requiredID("order_id", digitsOnly: true)
        let providerStatus = body.optionalString("status")
        return Fields(
            paymentID: orderID, event: event,
            status: status(event: event, status: providerStatus, previousStatus: previousStatus(orderID)),
            providerStatus: providerStatus, merchantRef: merchantRef(body["external_id"]),
            amount: DecimalText.amount(body["amount"]) ?? DecimalText.amount(body["product"]?["amount"]),
            currency: body.optionalNonEmptyString("currency"), occurredAt: body.optionalString("event_date"))
    }

    /// `external_id`: the merchant's own payment id, a string (or a number's text); absent when
    /// empty or of another type.
    static func merchantRef(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let s)? where !s.isEmpty: s
        case .number(let text)?: text
        default: nil
        }
    }
}

/// Which fields of an event, or of a payment's answer, the provider's signature does not cover
/// (`design.md`: "a consumer never mistakes an unsigned amount for a verified one").
///
/// Derived, not stored: the scheme that accepted a request is in every log record
/// (`verified_by`), and what each scheme covers is fixed, so the log format stays as it is and
/// events written before this existed say the same as new ones.
///
/// | `verified_by`                           | signature covers                                | unsigned |
/// |-----------------------------------------|-------------------------------------------------|----------|
/// | `hmac-sha*-hex`/`-base64`, `rsa-sha256` | the raw body, whole                             | `[]` |
/// | `sha512-fields` (Noventiq)              | `event`, `order_id`, `create_date`, `payment_method`, `currency`, `customer.email` | `merchant_ref` (`external_id`), `provider_status` (`status`), `amount`, `occurred_at` (`event_date`), `data`; and `status` when the unsigned `status` decided it |
/// | `none`, or a name not known here        | nothing                                         | every field taken from the body |
///
/// `data` is listed for Noventiq because the body it renders is signed only in part. The list
/// is always written, `[]` included: a consumer checks one key of one type, and a missing key
/// would not tell "all covered" from "written by an older payhookd".
public enum SignatureCoverage {
    /// Every event field whose value comes from the provider's body, in the event's order.
    public static let bodyFields = [
        "payment_id", "merchant_ref", "status", "provider_status", "provider_event", "amount", "currency", "occurred_at", "data",
    ]

    /// Whether `scheme` signs the raw body bytes. A switch over the few names: hashing the scheme
    /// into a `Set` was a fiftieth of a status query's instructions.
    static func coversWholeBody(_ scheme: String) -> Bool {
        switch scheme {
        case "hmac-sha256-hex", "hmac-sha256-base64", "hmac-sha512-hex", "hmac-sha512-base64", "rsa-sha256": true
        default: false
        }
    }

    /// The unsigned fields of an event verified by `verifiedBy`, in `bodyFields` order.
    /// `statusFromUnsigned`: the normalized status was decided by an unsigned field.
    public static func unsignedEventFields(verifiedBy: String, statusFromUnsigned: Bool) -> [String] {
        if coversWholeBody(verifiedBy) { return [] }
        guard verifiedBy == "sha512-fields" else { return bodyFields }
        return (statusFromUnsigned ? ["merchant_ref", "status"] : ["merchant_ref"]) + ["provider_status", "amount", "occurred_at", "data"]
    }

    /// The unsigned fields of a payment's answer (`merchant_ref`, `status`, `provider_status`,
    /// `amount`, `currency`) for a source whose scheme is `verifiedBy`. The payment's state does
    /// not keep which event set its status, so for Noventiq a `cancelled` or `refunded` status
    /// is listed as unsigned: either may have come from the unsigned `deleted` (a `refunded`
    /// from the signed `product.returned` is listed too: the list errs towards "unsigned").
    public static func unsignedPaymentFields(verifiedBy: String, status: PaymentStatus) -> [String] {
        if coversWholeBody(verifiedBy) { return [] }
        guard verifiedBy == "sha512-fields" else { return allPaymentFields }
        return status == .cancelled || status == .refunded ? fieldsPaymentRefinable : fieldsPayment
    }

    // The three answers, built once: every status query asks (a concatenation made a new array
    // per query).
    private static let allPaymentFields = ["merchant_ref", "status", "provider_status", "amount", "currency"]
    private static let fieldsPaymentRefinable = ["merchant_ref", "status", "provider_status", "amount"]
    private static let fieldsPayment = ["merchant_ref", "provider_status", "amount"]
}

extension NormalizedEvent {
    /// The fields of this event the provider's signature does not cover (see `SignatureCoverage`).
    /// For Noventiq the status came from the unsigned `status` exactly when it is `cancelled`, or
    /// `refunded` by another event than `product.returned` (`Noventiq.status` in PayhookProviders).
    public var unsignedFields: [String] {
        let refined = (status == .cancelled || status == .refunded) && providerEvent != "product.returned"
        return SignatureCoverage.unsignedEventFields(verifiedBy: verifiedBy, statusFromUnsigned: refined)
    }
}

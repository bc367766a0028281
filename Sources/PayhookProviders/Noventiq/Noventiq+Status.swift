import PayhookCore

extension Noventiq {
    /// The normalized status (`providers.md` table). The event decides when it is one of the four
    /// Payments events; otherwise a `deleted` status means `refunded` after `succeeded` (or after
    /// `refunded`) and `cancelled` before; anything else (Checkout events such as
    /// `product.delivered`, `terminated`) is `unknown`. Matched exactly: these are documented.
    public static func status(event: String, status: String?, previousStatus: PaymentStatus?) -> PaymentStatus {
        switch event {
        case "order.created": return .created
        case "order.payment.succeeded": return .succeeded
        case "order.payment.failed": return .failed
        case "product.returned": return .refunded
        default:
            guard status == "deleted" else { return .unknown }
            return previousStatus == .succeeded || previousStatus == .refunded ? .refunded : .cancelled
        }
    }
}

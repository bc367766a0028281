import PayhookCore

extension Noventiq {
    /// The normalized status (`providers.md` table). The signature covers `event` but not
    /// `status`, so the event decides wherever the table lets it, and the unsigned status only
    /// refines an order event that says nothing by itself:
    ///
    /// | signed `event`                          | unsigned `status` | last-seen status     | normalized  |
    /// |-----------------------------------------|-------------------|----------------------|-------------|
    /// | `order.created`                         | any               | any                  | `created`   |
    /// | `order.payment.succeeded`               | any               | any                  | `succeeded` |
    /// | `order.payment.failed`                  | any               | any                  | `failed`    |
    /// | `product.returned`                      | any               | any                  | `refunded`  |
    /// | another `order.*` event                 | `deleted`         | `succeeded`/`refunded` | `refunded` |
    /// | another `order.*` event                 | `deleted`         | anything else, none  | `cancelled` |
    /// | another `order.*` event                 | not `deleted`     | any                  | `unknown`   |
    /// | anything else (`product.delivered`, `subscription.*`, ...) | any | any           | `unknown`   |
    ///
    /// Why only `order.*`: Checkout events (`product.delivered`, `subscription.*`) are about
    /// something other than the order's payment, so a `deleted` beside them must not turn a
    /// delivered product into a refund (with one captured signature of `product.delivered`,
    /// anyone could send that). When the refinement decides, the event names `status` among its
    /// unsigned fields (`NormalizedEvent.unsignedFields`). Names match exactly: they are documented.
    public static func status(event: String, status: String?, previousStatus: PaymentStatus?) -> PaymentStatus {
        switch event {
        case "order.created": return .created
        case "order.payment.succeeded": return .succeeded
        case "order.payment.failed": return .failed
        case "product.returned": return .refunded
        default:
            guard event.hasPrefix("order."), status == "deleted" else { return .unknown }
            return previousStatus == .succeeded || previousStatus == .refunded ? .refunded : .cancelled
        }
    }
}

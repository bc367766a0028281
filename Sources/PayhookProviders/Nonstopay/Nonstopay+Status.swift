import PayhookCore

extension Nonstopay {
    /// The normalized status for a Nonstopay `family:state` string (`providers.md` table).
    /// Matched without regard to ASCII case: the docs show the same states as upper-case labels
    /// (OPENED, WAITING, UNPAID). Anything not in the table is `unknown`.
    public static func status(for providerStatus: String) -> PaymentStatus {
        let s = Providers.asciiLowercased(providerStatus)
        switch s {
        case "invoice:created", "fund:created", "payment:created": return .created
        case "invoice:opened", "invoice:waiting", "invoice:unpaid": return .pending
        case "invoice:paid", "fund:success", "payment:success": return .succeeded
        case "invoice:failed", "invoice:declined", "fund:failed", "payment:failed": return .failed
        case "invoice:expired": return .expired
        case "invoice:canceled", "invoice:cancelled": return .cancelled
        default:
            // `*:pending`: any family, as long as there is one.
            if s.hasSuffix(":pending"), s.utf8.count > ":pending".utf8.count { return .pending }
            return .unknown
        }
    }
}

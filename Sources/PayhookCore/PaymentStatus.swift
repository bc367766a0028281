/// The normalized status of a payment, the same for every provider (see `providers.md`).
///
/// A status never moves backwards: a notification whose rank is lower than the current one is
/// kept in history but does not change the last-seen status, and `unknown` never changes it.
public enum PaymentStatus: String, Sendable, CaseIterable, Hashable {
    case created, pending, failed, expired, cancelled, succeeded, refunded, unknown

    /// created 0 < pending 1 < failed 2 < expired, cancelled 3 < succeeded 4 < refunded 5;
    /// `nil` for `unknown`, which has no place in the order.
    public var rank: Int? {
        switch self {
        case .created: 0
        case .pending: 1
        case .failed: 2
        case .expired, .cancelled: 3
        case .succeeded: 4
        case .refunded: 5
        case .unknown: nil
        }
    }

    /// Whether a notification with status `new` replaces `current` as the last-seen status.
    /// Equal ranks replace (a later `cancelled` after `expired` is the newer word on the payment).
    public static func replaces(_ new: PaymentStatus, current: PaymentStatus?) -> Bool {
        guard let newRank = new.rank else { return false }
        guard let current, let currentRank = current.rank else { return true }
        return newRank >= currentRank
    }
}

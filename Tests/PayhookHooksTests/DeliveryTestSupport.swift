import PayhookCore
import PayhookHooks

/// A seeded generator (SplitMix64), so jittered delays are reproducible.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64 = 42) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// An event of payment `payment` (nil: none) at `seq`.
func event(_ seq: UInt64, _ payment: String?, source: String = "shop", status: PaymentStatus = .succeeded) -> HookEvent {
    HookEvent(seq: seq, id: "\(source):\(payment ?? "-"):\(seq)", source: source, paymentID: payment, status: status, kind: "payin")
}

extension [DeliveryState.Action] {
    /// The seqs of the `.send` actions, in order.
    var sent: [UInt64] {
        compactMap { if case .send(let e, _) = $0 { e.seq } else { nil } }
    }
    var parks: [ParkRecord] {
        compactMap { if case .park(let r) = $0 { r } else { nil } }
    }
    var cursors: [HookCursor] {
        compactMap { if case .persistCursor(let c) = $0 { c } else { nil } }
    }
}

extension DeliveryState {
    /// Offers events `seqs` of one payment each (or the given payments) and returns the actions.
    mutating func offerAll(_ events: [HookEvent], nowMs: Int64 = 0) -> [Action] {
        events.flatMap { offer($0, nowMs: nowMs) }
    }

    mutating func finish(_ seq: UInt64, _ outcome: Outcome, nowMs: Int64 = 0) -> [Action] {
        var random = SeededRandom()
        return attemptFinished(seq: seq, outcome: outcome, nowMs: nowMs, using: &random)
    }
}

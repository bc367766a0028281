import PayhookCore

/// Which events a hook receives (`sources`, `statuses`, `kinds` in its config; nil = all).
/// Quarantined events (stored but not understood) go only to hooks that ask for them: a
/// consumer that acts on payment statuses must not receive a notification nobody could read.
public struct HookFilter: Sendable, Equatable {
    public var sources: Set<String>?
    public var statuses: Set<PaymentStatus>?
    public var kinds: Set<String>?
    public var quarantined: Bool

    public init(
        sources: Set<String>? = nil, statuses: Set<PaymentStatus>? = nil, kinds: Set<String>? = nil,
        quarantined: Bool = false
    ) {
        self.sources = sources
        self.statuses = statuses
        self.kinds = kinds
        self.quarantined = quarantined
    }

    /// Whether the hook receives `event`. Names are matched by their bytes (see `PaymentKey`):
    /// a config name and a stored name that differ in bytes are different names.
    public func matches(_ event: HookEvent) -> Bool {
        if event.quarantined && !quarantined { return false }
        if let sources, !Self.containsBytes(sources, event.source) { return false }
        if let statuses, !statuses.contains(event.status) { return false }
        if let kinds, !Self.containsBytes(kinds, event.kind) { return false }
        return true
    }

    private static func containsBytes(_ set: Set<String>, _ name: String) -> Bool {
        // Set<String> lookup uses canonical equivalence; confirm the hit byte for byte.
        set.contains { $0.utf8.elementsEqual(name.utf8) }
    }
}

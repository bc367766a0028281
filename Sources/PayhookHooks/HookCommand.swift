/// What a command hook runs: argv as configured (no shell) and an environment built from
/// nothing: the event's fields and a fixed PATH. The daemon's own environment (credentials
/// directory, secrets passed by the service manager) never reaches the child.
public struct HookCommand: Sendable, Equatable {
    public var argv: [String]
    /// `NAME=value` strings, sorted by name (deterministic, easy to compare).
    public var environment: [String]

    /// The fixed search path of a command hook.
    public static let path = "/usr/bin:/bin"

    public init(argv: [String], event: HookEvent, attempt: UInt32) {
        precondition(!argv.isEmpty && argv[0].hasPrefix("/"), "a command hook names an absolute program")
        self.argv = argv
        let pairs: [(String, String)] = [
            ("PATH", Self.path),
            ("PAYHOOK_ATTEMPT", String(attempt)),
            ("PAYHOOK_EVENT_ID", Self.value(event.id)),
            ("PAYHOOK_PAYMENT_ID", Self.value(event.paymentID ?? "")),
            ("PAYHOOK_SEQ", String(event.seq)),
            ("PAYHOOK_SOURCE", Self.value(event.source)),
            ("PAYHOOK_STATUS", event.status.rawValue),
        ]
        environment = pairs.map { "\($0.0)=\($0.1)" }
    }

    /// Values are passed as they are, except that an environment string cannot hold a NUL
    /// byte: such a value is sent percent-encoded as in the request headers.
    static func value(_ s: String) -> String {
        s.utf8.contains(0) ? HookRequest.headerValue(s) : s
    }
}

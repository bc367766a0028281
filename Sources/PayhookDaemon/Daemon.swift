import PayhookCore

/// Wiring: config, server, routes, admin API.
public enum Daemon {
    public static let version = "0.1.0"
}

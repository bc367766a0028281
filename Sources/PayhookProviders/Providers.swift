import PayhookCore

/// Provider adapters: verification and normalization, pure functions of bytes, secrets and time.
public enum Providers {}

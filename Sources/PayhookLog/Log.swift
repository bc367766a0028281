import PayhookCore
import PayhookPosix

/// The durable append-only log.
public enum Log {}

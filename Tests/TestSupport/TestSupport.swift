import PayhookCore
import PayhookPosix

/// Shared test fakes: manual clock, split feeder, process and socket helpers.
public enum TestSupport {}

/// Log lines on stderr with syslog priority prefixes (`<6>payhookd: ...`), which journald turns
/// into priorities.
///
/// Once `start` ran (the daemon), a line never blocks its caller: it goes into a bounded queue
/// that one writer thread drains to fd 2, so a reader that stops reading (a slow journald)
/// costs lines, never the event loop. Lines that do not fit are dropped and counted
/// (`droppedLines`, `payhook_log_lines_dropped_total`); the writer says "N log lines dropped"
/// once it can write again. Only the writer writes fd 2, whole lines, so lines never
/// interleave. Before `start` (the CLI) lines are written directly. Callable from any thread.
public enum Journal {
    public enum Priority: Int, Sendable { case error = 3, warning = 4, notice = 5, info = 6, debug = 7 }

    static let sink = JournalSink(fd: 2)

    public static func error(_ message: String) { emit(.error, message) }
    public static func warning(_ message: String) { emit(.warning, message) }
    public static func notice(_ message: String) { emit(.notice, message) }
    public static func info(_ message: String) { emit(.info, message) }

    public static func emit(_ priority: Priority, _ message: String) {
        sink.emit(line(priority, message))
    }

    /// A line that may repeat at flood rate (a refused request). The first per `key` in a window
    /// is written; the others are counted and summed up in one line at the window's end:
    /// "`summary.before` N more `summary.after` in the last 10 s" (the last occurrence's words).
    public static func repeated(_ priority: Priority, key: String, _ message: String, summary: (before: String, after: String)) {
        sink.repeated(priority, key: key, line(priority, message), summary: summary)
    }

    /// Starts the writer thread (`serve`); lines queue from now on.
    public static func start(queueBytes: Int, repeatWindowMs: Int) {
        sink.start(queueBytes: queueBytes, repeatWindowMs: repeatWindowMs)
    }

    /// Writes pending summaries and waits at most `timeoutMs` for the queue to reach fd 2 (at
    /// exit: a stalled reader must not hold the process). Later lines are written directly.
    public static func stop(timeoutMs: Int = 1000) { sink.stop(timeoutMs: timeoutMs) }

    /// Lines dropped because the queue was full, since start.
    public static var droppedLines: Int { sink.droppedTotal }

    static func line(_ priority: Priority, _ message: String) -> [UInt8] {
        Array("<\(priority.rawValue)>payhookd: \(message)\n".utf8)
    }
}

import PayhookPosix

/// Log lines on stderr with syslog priority prefixes (`<6>payhookd: ...`), which journald turns
/// into priorities. One `write` per line, so lines from threads never interleave.
public enum Journal {
    public enum Priority: Int, Sendable { case error = 3, warning = 4, notice = 5, info = 6, debug = 7 }

    public static func error(_ message: String) { emit(.error, message) }
    public static func warning(_ message: String) { emit(.warning, message) }
    public static func notice(_ message: String) { emit(.notice, message) }
    public static func info(_ message: String) { emit(.info, message) }

    public static func emit(_ priority: Priority, _ message: String) {
        let line = "<\(priority.rawValue)>payhookd: \(message)\n"
        line.utf8CString.withUnsafeBytes { raw in
            _ = try? IO.write(2, from: UnsafeRawBufferPointer(rebasing: raw.dropLast()))
        }
    }
}

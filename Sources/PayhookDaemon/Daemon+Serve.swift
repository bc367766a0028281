import PayhookCore

extension Daemon {
    /// Runs the daemon until SIGTERM/SIGINT; returns the process exit code.
    /// OWNED BY THE SERVER WORK: this placeholder is replaced by the real event loop.
    public static func serve(config: Config) -> Int32 {
        FileHandleStderr.write("<3>payhookd: serve is not built yet\n")
        return 1
    }
}

enum FileHandleStderr {
    static func write(_ s: String) {
        var bytes = Array(s.utf8)
        _ = bytes.withUnsafeMutableBytes { fwriteStderr($0.baseAddress!, $0.count) }
    }
}

import Glibc
private func fwriteStderr(_ p: UnsafeMutableRawPointer, _ n: Int) -> Int { Glibc.write(2, p, n) }

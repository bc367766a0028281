import ArgumentParser
import Glibc
import PayhookDaemon

/// Exit codes of every payhookd command (design.md, "CLI").
enum CLIExit {
    static let ok: Int32 = 0
    /// The daemon or a command failed at run time.
    static let failure: Int32 = 1
    /// Bad command line or bad config.
    static let usage: Int32 = 2

    /// Parses the arguments, runs the command, exits. argument-parser's own usage errors (which
    /// it would exit with EX_USAGE, 64) exit with 2, like config errors.
    static func run(_ root: any ParsableCommand.Type) -> Never {
        do {
            var command = try root.parseAsRoot()
            try command.run()
            exit(ok)
        } catch {
            let code = root.exitCode(for: error)
            if code == .validationFailure {
                writeStderr(root.fullMessage(for: error) + "\n")
                exit(usage)
            }
            root.exit(withError: error)
        }
    }

    static func writeStderr(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }

    /// The process environment as a dictionary (for `CREDENTIALS_DIRECTORY`).
    static func environment() -> [String: String] {
        var out: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") {
                out[String(text[..<eq])] = String(text[text.index(after: eq)...])
            }
            pointer += 1
        }
        return out
    }
}

/// `--config F`, shared by the commands that read the config.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Config file.", valueName: "file"))
    var config: String = Config.defaultPath

    /// The loaded config, or the error printed as `file:line: message` and exit status 2.
    func load() throws -> Config { try Self.load(path: config) }

    static func load(path: String) throws -> Config {
        do {
            return try Config.load(path: path, environment: CLIExit.environment())
        } catch {
            CLIExit.writeStderr("\(error)\n")
            throw ExitCode(CLIExit.usage)
        }
    }
}

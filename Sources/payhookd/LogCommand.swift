import ArgumentParser
import PayhookDaemon
import PayhookLog
import PayhookStore

/// `payhookd log verify|dump|stats`: read-only views of the log (safe while the daemon runs).
struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Inspect the durable log.",
        subcommands: [Verify.self, Dump.self, Stats.self]
    )

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Check every record's framing and CRC, and that the log reaches every seq the snapshots and the high-water mark prove acknowledged; exit 1, with start-up's words, where serve would refuse to start."
        )
        @OptionGroup var storage: StorageOption

        func run() throws {
            let (report, code) = LogTool.verify(dir: try storage.resolve())
            print(report, terminator: report.hasSuffix("\n") ? "" : "\n")
            if code != CLIExit.ok { throw ExitCode(code) }
        }
    }

    struct Dump: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print normalized events as JSON lines (payhook.event/v1), or the stored requests with --raw.")
        @OptionGroup var storage: StorageOption
        @Option(name: .long, help: "First seq to print.") var from: UInt64 = 1
        @Flag(name: .long, help: "Print the stored requests (headers, body in base64) instead of events.") var raw = false

        func run() throws {
            let dir = try storage.resolve()
            do {
                try LogTool.dump(dir: dir, from: from, raw: raw) { print($0) }
            } catch {
                CLIExit.writeStderr("payhookd: \(error)\n")
                throw ExitCode(CLIExit.failure)
            }
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Segments, records, bytes, seq and time range.")
        @OptionGroup var storage: StorageOption

        func run() throws {
            let dir = try storage.resolve()
            do {
                print(try LogTool.stats(dir: dir), terminator: "")
            } catch {
                CLIExit.writeStderr("payhookd: \(error)\n")
                throw ExitCode(CLIExit.failure)
            }
        }
    }
}

/// `--dir D` (the storage folder) or `--config F` (its `storage.dir`).
struct StorageOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The storage folder (storage.dir).", valueName: "dir"))
    var dir: String?
    @Option(name: .long, help: ArgumentHelp("Config file whose storage.dir to use.", valueName: "file"))
    var config: String = Config.defaultPath

    func resolve() throws -> String {
        if let dir { return dir }
        return try ConfigOption.load(path: config).storage.dir
    }
}

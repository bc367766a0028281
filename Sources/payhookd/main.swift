import ArgumentParser
import PayhookDaemon

/// The payhookd command line. Exit codes: 0 ok, 1 runtime failure, 2 usage or config error.
///
/// Adding a subcommand: write a `ParsableCommand` in its own file in this folder and list it in
/// `subcommands` below. `@OptionGroup var options: ConfigOption` gives `--config` and
/// `options.load()` (prints `file:line: message`, exit 2); commands that talk to the admin API
/// take its address and token from `config.server.admin` / `adminToken`. Throw
/// `ExitCode(CLIExit.failure)` for runtime failures; argument-parser's usage errors already exit
/// 2 through `CLIExit.run`.
struct Payhookd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payhookd",
        abstract: "Receives payment-provider webhooks, stores them durably, forwards them.",
        version: Daemon.version,
        subcommands: [Serve.self, CheckConfig.self, Version.self, LogCommand.self, StatusCommand.self, RejectsCommand.self, HooksCommand.self]
    )

    /// Without a subcommand: a usage error (exit 2), like any other bad command line.
    func run() throws {
        throw ValidationError("missing subcommand (see payhookd --help)")
    }
}

CLIExit.run(Payhookd.self)

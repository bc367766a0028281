import ArgumentParser
import PayhookDaemon

/// The payhookd command line. Exit codes: 0 ok, 1 runtime failure, 2 usage or config error.
///
/// Adding a subcommand: write a `ParsableCommand` in its own file in this folder (see
/// `CheckConfig.swift` for loading the config and `CLIExit` for exit codes) and list it in
/// `subcommands` below. Planned: `log verify|dump|stats`, `status`, `hooks`, `rejects`.
struct Payhookd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payhookd",
        abstract: "Receives payment-provider webhooks, stores them durably, forwards them.",
        version: Daemon.version,
        subcommands: [Serve.self, CheckConfig.self, Version.self]
    )
}

CLIExit.run(Payhookd.self)

import ArgumentParser
import PayhookDaemon

struct Payhookd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payhookd",
        abstract: "Receives payment-provider webhooks, stores them durably, forwards them.",
        version: Daemon.version,
        subcommands: [Version.self]
    )
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")
    func run() { print("payhookd \(Daemon.version)") }
}

Payhookd.main()

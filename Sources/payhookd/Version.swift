import ArgumentParser
import PayhookDaemon

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")

    func run() { print("payhookd \(Daemon.version)") }
}

import ArgumentParser
import PayhookDaemon

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the daemon until SIGTERM.")

    @OptionGroup var options: ConfigOption

    func run() throws {
        let config = try options.load()
        for warning in config.warnings {
            // <4>: syslog "warning", which journald understands on stderr.
            CLIExit.writeStderr("<4>payhookd: \(warning)\n")
        }
        let status = Daemon.serve(config: config)
        if status != CLIExit.ok { throw ExitCode(status) }
    }
}

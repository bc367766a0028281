import ArgumentParser
import PayhookDaemon

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the config (and read its secret files), then print a summary.",
        discussion: "Prints `file:line: message` and exits with 2 when the config is refused."
    )

    @OptionGroup var options: ConfigOption
    /// `make config`: the example config and the README key table come from the table of settings.
    @Flag(help: .hidden) var printExample = false
    @Flag(help: .hidden) var printReadmeTable = false

    func run() throws {
        if printExample { return print(Settings.exampleConfig(), terminator: "") }
        if printReadmeTable { return print(Settings.readmeTable(), terminator: "") }
        let config = try options.load()
        for warning in config.warnings { CLIExit.writeStderr("warning: \(warning)\n") }
        print(Self.summary(config))
    }

    /// One line: what would be served. Secrets are counted, never shown.
    static func summary(_ config: Config) -> String {
        let sources = config.sources.map { "\($0.name) (\($0.provider.rawValue)/\($0.kind), \($0.signature.rawValue))" }
        return "ok: \(config.path): ingest \(config.server.ingest.joined(separator: ", ")); "
            + "admin \(config.server.admin.joined(separator: ", "))\(config.server.adminToken == nil ? "" : " (token)"); "
            + "storage \(config.storage.dir); "
            + "\(config.sources.count) source\(config.sources.count == 1 ? "" : "s")"
            + (sources.isEmpty ? "" : ": \(sources.joined(separator: ", "))") + "; "
            + "\(config.hooks.count) hook\(config.hooks.count == 1 ? "" : "s")"
            + (config.hooks.isEmpty ? "" : ": \(config.hooks.map(\.name).joined(separator: ", "))")
    }
}

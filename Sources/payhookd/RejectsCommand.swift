import ArgumentParser
import PayhookCore
import PayhookDaemon
import PayhookLog
import PayhookStore

/// `payhookd rejects list|reverify`.
struct RejectsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rejects",
        abstract: "Requests refused for a bad or missing signature, kept byte for byte.",
        subcommands: [List.self, Reverify.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the stored rejects as JSON lines (oldest first; reads storage.dir directly).")
        @OptionGroup var storage: StorageOption

        func run() throws {
            let dir = try storage.resolve()
            let entries: [RejectEntry]
            do { entries = try RejectStore.list(dir: dir) } catch {
                CLIExit.writeStderr("payhookd: \(dir)/rejects: \(error)\n")
                throw ExitCode(CLIExit.failure)
            }
            for e in entries {
                var w = JSONWriter()
                w.beginObject()
                w.key("id")
                w.integer(e.id)
                w.key("received_at")
                w.string(Timestamp.iso8601(unixMs: e.receivedAtMs))
                w.key("source")
                w.string(e.source)
                w.key("client")
                w.string(e.request.clientAddress)
                w.key("reason")
                w.string(e.reason)
                w.key("body_bytes")
                w.integer(e.request.body.count)
                w.key("reingested")
                w.bool(e.reingested)
                w.endObject()
                print(w.string)
            }
        }
    }

    struct Reverify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-check the rejects against today's secrets and ingest those that now pass (once each).",
            discussion: "Asks the running daemon (admin API), which holds the log; prints a JSON summary.")
        @OptionGroup var options: ConfigOption
        @OptionGroup var admin: AdminOption

        func run() throws {
            let config = try options.load()
            try AdminCall.print(AdminCall.run("POST", "/v1/rejects/reverify", config: config, admin: admin.admin), okStatus: 200)
        }
    }
}

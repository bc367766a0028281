import ArgumentParser
import PayhookCore
import PayhookDaemon

/// `payhookd hooks list|parked NAME|retry-parked NAME|replay NAME --from SEQ|forget NAME`: asks the running
/// daemon's admin API; a table by default, the API's JSON with `--json`.
struct HooksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hooks",
        abstract: "Show hook delivery, list parked events, retry them, replay from a seq (asks the admin API).",
        subcommands: [List.self, Parked.self, RetryParked.self, Replay.self, Forget.self]
    )

    struct Common: ParsableArguments {
        @OptionGroup var options: ConfigOption
        @OptionGroup var admin: AdminOption
        @Flag(name: .long, help: "Print the admin API's JSON as it came.") var json = false

        /// Sends the request; prints the JSON (or, readable, what `table` makes of it); exit 1
        /// unless the status is `ok`.
        func call(_ method: String, _ path: String, ok: Int, table: (JSONValue) -> String) throws {
            let config = try options.load()
            let answer = try AdminCall.run(method, path, config: config, admin: admin.admin)
            guard !json, answer.status == ok, let value = try? JSONParser.parse(Array(answer.body.utf8)) else {
                return try AdminCall.print(answer, okStatus: ok)
            }
            Swift.print(table(value), terminator: "")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each hook: state, cursor, lag, counters, last error.")
        @OptionGroup var common: Common

        func run() throws {
            try common.call("GET", "/v1/hooks", ok: 200) { v in
                var rows = [["NAME", "KIND", "STATE", "DELIVERED_SEQ", "LAG", "LAG_S", "IN_FLIGHT", "DELIVERED", "FAILED", "PARKED", "LAST_ERROR"]]
                for h in v["hooks"]?.arrayElements ?? [] {
                    rows.append(
                        [
                            "name", "kind", "state", "delivered_seq", "lag_events", "lag_seconds", "in_flight", "delivered", "failed_attempts",
                            "parked",
                        ]
                        .map { HooksCommand.text(h[$0]) } + [HooksCommand.text(h["last_error"])])
                }
                return HooksCommand.table(rows)
            }
        }
    }

    struct Parked: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The parked events of a hook.")
        @OptionGroup var common: Common
        @Argument(help: "The hook's name.") var name: String

        func run() throws {
            try common.call("GET", "/v1/hooks/\(PathSegment.encode(name))/parked", ok: 200) { v in
                var rows = [["SEQ", "EVENT_ID", "ATTEMPTS", "FIRST_ATTEMPT", "LAST_ATTEMPT", "LAST_ERROR"]]
                for p in v["parked"]?.arrayElements ?? [] {
                    rows.append(
                        ["seq", "event_id", "attempts", "first_attempt_at", "last_attempt_at", "last_error"].map { HooksCommand.text(p[$0]) })
                }
                return HooksCommand.table(rows)
            }
        }
    }

    struct RetryParked: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "retry-parked", abstract: "Queue every parked event of a hook again.")
        @OptionGroup var common: Common
        @Argument(help: "The hook's name.") var name: String

        func run() throws {
            try common.call("POST", "/v1/hooks/\(PathSegment.encode(name))/retry-parked", ok: 202) { v in
                "hook \(name): \(HooksCommand.text(v["queued"])) of \(HooksCommand.text(v["parked"])) parked events queued again\n"
            }
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send a hook's matching events again, from a seq on.")
        @OptionGroup var common: Common
        @Argument(help: "The hook's name.") var name: String
        @Option(name: .long, help: "The first seq to send again.") var from: UInt64

        func run() throws {
            try common.call("POST", "/v1/hooks/\(PathSegment.encode(name))/replay?from=\(from)", ok: 202) { v in
                let through = v["through"].flatMap { $0.numberText }
                return through.map { "hook \(name): replaying seqs \(from) to \($0)\n" }
                    ?? "hook \(name): seq \(from) is not read yet; it is sent in turn\n"
            }
        }
    }

    struct Forget: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a removed hook's cursor and parked events (refused while the hook is configured).")
        @OptionGroup var common: Common
        @Argument(help: "The hook's name.") var name: String

        func run() throws {
            try common.call("POST", "/v1/hooks/\(PathSegment.encode(name))/forget", ok: 200) { v in
                let files = (v["removed"]?.arrayElements ?? []).map { HooksCommand.text($0) }
                return "hook \(name): deleted \(files.joined(separator: ", "))\n"
            }
        }
    }

    /// A JSON scalar as text ("-" for null or missing).
    static func text(_ v: JSONValue?) -> String {
        guard let v else { return "-" }
        if let s = v.stringValue { return s.isEmpty ? "-" : s }
        if let n = v.numberText { return n }
        if let b = v.boolValue { return b ? "true" : "false" }
        return "-"
    }

    /// Columns padded to their widest cell, two spaces apart; the last column is not padded.
    static func table(_ rows: [[String]]) -> String {
        let widths = (0..<(rows.first?.count ?? 0)).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, cell in c == row.count - 1 ? cell : cell.padding(toLength: widths[c]) }.joined(separator: "  ") + "\n"
        }.joined()
    }
}

extension String {
    fileprivate func padding(toLength n: Int) -> String { self + String(repeating: " ", count: max(0, n - count)) }
}

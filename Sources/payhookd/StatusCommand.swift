import ArgumentParser
import PayhookCore
import PayhookDaemon

/// `payhookd status SOURCE PAYMENT_ID`: asks the running daemon's admin API.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print the last-seen status of a payment (asks the admin API of the running daemon).",
        discussion: "Exit 0 when found, 1 when never seen or the daemon cannot be reached."
    )

    @OptionGroup var options: ConfigOption
    @OptionGroup var admin: AdminOption
    @Argument(help: "The source name, as in /hooks/{source}.") var source: String
    @Argument(help: "The payment id (Nonstopay payouts: fund:<id> or payment:<id>).") var paymentID: String
    @Flag(name: .long, help: "Print the admin API's JSON instead of the summary.") var json = false

    func run() throws {
        let config = try options.load()
        let path = "/v1/payments/\(PathSegment.encode(source))/\(PathSegment.encode(paymentID))"
        let answer = try AdminCall.run("GET", path, config: config, admin: admin.admin)
        guard !json, answer.status == 200, let payment = try? JSONParser.parse(Array(answer.body.utf8)) else {
            return try AdminCall.print(answer, okStatus: 200)
        }
        let events = try AdminCall.run("GET", path + "/events", config: config, admin: admin.admin)
        let list = events.status == 200 ? try? JSONParser.parse(Array(events.body.utf8)) : nil
        print(StatusSummary.render(payment: payment, events: list))
    }
}

/// Shared by the commands that talk to the admin API.
enum AdminCall {
    static func run(_ method: String, _ path: String, config: Config, admin: String?) throws -> AdminClient.Answer {
        do {
            return try AdminClient.request(method, path, config: config, admin: admin)
        } catch {
            CLIExit.writeStderr("payhookd: \(error)\n")
            throw ExitCode(CLIExit.failure)
        }
    }

    /// Prints the body; exits 1 unless the status is `okStatus`.
    static func print(_ answer: AdminClient.Answer, okStatus: Int) throws {
        Swift.print(answer.body)
        if answer.status != okStatus { throw ExitCode(CLIExit.failure) }
    }
}

/// Percent-encodes one path segment (RFC 3986 unreserved characters, plus `:` and `@`, stay).
enum PathSegment {
    static func encode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: ":"), UInt8(ascii: "@"):
                out.unicodeScalars.append(UnicodeScalar(b))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%\(hex[Int(b >> 4)])\(hex[Int(b & 15)])"
            }
        }
        return out
    }
}

/// `--admin ADDRESS`: which admin listener to ask.
struct AdminOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Admin listener to ask (default: the first server.admin of the config).", valueName: "address"))
    var admin: String?
}

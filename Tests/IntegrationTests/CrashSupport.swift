import Glibc
import PayhookCore
import Synchronization
import Testing

/// One callback the daemon answered `200`: it promised that the record (`seq`) is durable.
struct Acknowledged: Sendable {
    var id: String
    var body: String
    var seq: UInt64
    var round: Int
    /// Answered as a copy of a record stored (or being stored) by another request.
    var duplicate = false
}

/// What the load clients of one crash test saw, shared by their threads.
final class CrashLoad: @unchecked Sendable {
    private struct State {
        var stopping = false
        var acknowledged: [Acknowledged] = []
        var unanswered: [String] = []
        var unexpected: [String] = []
    }
    private let state = Mutex(State())

    /// Set just before the daemon is killed: from then on a failed request is expected.
    var stopping: Bool {
        get { state.withLock { $0.stopping } }
        set { state.withLock { $0.stopping = newValue } }
    }
    var acknowledged: [Acknowledged] { state.withLock { $0.acknowledged } }
    /// Event ids of requests whose answer never came (the daemon died first): not promised, may
    /// be stored.
    var unanswered: [String] { state.withLock { $0.unanswered } }
    /// Failures while the daemon was meant to be alive, and answers other than a fresh 200.
    var unexpected: [String] { state.withLock { $0.unexpected } }

    func record(_ ack: Acknowledged) { state.withLock { $0.acknowledged.append(ack) } }

    /// A failed exchange (of event `id`, nil when nothing was sent): expected once `stopping` is
    /// set, a finding before.
    func failed(_ what: String, id: String?) {
        state.withLock {
            if !$0.stopping { $0.unexpected.append(what) } else if let id { $0.unanswered.append(id) }
        }
    }

    func unexpected(_ what: String) { state.withLock { $0.unexpected.append(what) } }
}

/// The body of a unique Nonstopay payin callback (its `id` is the payment id).
func uniqueCallback(_ paymentID: String) -> String {
    #"{"status":"invoice:paid","id":""# + paymentID + #"","amount":"12.34","devise":"EUR"}"#
}

/// A 200 answer's event id, seq and duplicate flag, or a description of what came instead.
func acknowledgement(_ answer: RawClient.Answer) -> Result<(id: String, seq: UInt64, duplicate: Bool), RawClient.Failure> {
    let body = json(answer)
    guard answer.status == 200, body?["ok"]?.boolValue == true, let duplicate = body?["duplicate"]?.boolValue,
        let id = body?["id"]?.stringValue, let seq = body?["seq"]?.numberText.flatMap({ UInt64($0) })
    else { return .failure(RawClient.Failure(description: "\(answer.status) \(answer.body)")) }
    return .success((id, seq, duplicate))
}

/// One load client: posts signed callbacks over a keep-alive connection (reconnecting after a
/// failure) until `load.stopping` or `limit` requests, and records every acknowledged one.
/// Of every 8 requests: 6 are unique; one is shared by all clients of the round (so that copies
/// race and wait for the one in flight: exactly one is fresh, all have its seq); one resends a
/// callback acknowledged earlier (this round, or `earlier` rounds before a crash), which must be
/// answered `duplicate:true` with its original seq.
struct CrashClient {
    let load: CrashLoad
    let address: String
    let worker: Int
    let round: Int
    let earlier: [Acknowledged]
    private var mine: [Acknowledged] = []

    init(_ load: CrashLoad, address: String, worker: Int, round: Int, earlier: [Acknowledged] = []) {
        self.load = load
        self.address = address
        self.worker = worker
        self.round = round
        self.earlier = earlier
    }

    mutating func run(limit: Int = .max) {
        var client: RawClient?
        var n = 0
        while !load.stopping && n < limit {
            if client == nil {
                client = try? RawClient(address, timeoutMs: 5000)
                if client == nil {
                    load.failed("round \(round) worker \(worker): connect refused", id: nil)
                    usleep(2000)
                    continue
                }
            }
            n += 1
            let resend = n % 8 == 0 ? (mine + earlier).randomElement() : nil
            let paymentID = n % 8 == 4 ? "r\(round)-shared-\(n)" : "r\(round)-w\(worker)-\(n)"
            let body = resend?.body ?? uniqueCallback(paymentID)
            let what = "round \(round) worker \(worker) #\(n) \(resend?.id ?? paymentID)"
            guard let answer = exchange(client!, body: body, what: what, id: resend == nil ? "nonstopay-payin:\(paymentID):invoice:paid" : nil) else {
                client = nil
                continue
            }
            switch acknowledgement(answer) {
            case .failure(let failure) where answer.status == 503:
                // Only while stopping (SIGTERM drains): not stored, must not be acknowledged.
                load.failed("\(what): \(failure)", id: resend == nil ? "nonstopay-payin:\(paymentID):invoice:paid" : nil)
            case .failure(let failure): load.unexpected("\(what): \(failure)")
            case .success(let a):
                if let resend {
                    if !a.duplicate || a.seq != resend.seq { load.unexpected("\(what): resend of seq \(resend.seq) answered \(answer.body)") }
                } else {
                    let ack = Acknowledged(id: a.id, body: body, seq: a.seq, round: round, duplicate: a.duplicate)
                    load.record(ack)
                    if !a.duplicate { mine.append(ack) }
                }
            }
        }
    }

    /// Sends one request and reads its answer; nil (and noted) when the connection failed.
    private func exchange(_ client: RawClient, body: String, what: String, id: String?) -> RawClient.Answer? {
        do {
            try client.send(nonstopayRequest("nonstopay-payin", body: body))
        } catch {
            load.failed("\(what): \(error)", id: id)
            return nil
        }
        guard let answer = client.readAnswer() else {
            load.failed("\(what): no answer", id: id)
            return nil
        }
        return answer
    }
}

/// Runs `argv` to completion and returns its exit status and standard output.
func runCapturing(_ argv: [String], in dir: String) throws -> (status: Int32, stdout: String) {
    let out = dir + "/capture.out"
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, dir + "/capture.err", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let cargv = argv.map { strdup($0) } + [nil]
    let cenv: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/bin:/bin"), nil]
    defer { for p in cargv + cenv { free(p) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, argv[0], &actions, nil, cargv, cenv)
    try #require(rc == 0, "posix_spawn \(argv[0]): \(rc)")
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    return ((status >> 8) & 0xff, try DaemonProcess.readFile(out))
}

/// `payhookd log dump --dir D` as (id, seq) pairs in log order.
func dumpedEvents(storage: String, scratch: String) throws -> [(id: String, seq: UInt64)] {
    let (status, text) = try runCapturing([DaemonProcess.binary, "log", "dump", "--dir", storage], in: scratch)
    try #require(status == 0, "log dump exited \(status): \((try? DaemonProcess.readFile(scratch + "/capture.err")) ?? "")")
    return try text.split(separator: "\n").map { line in
        let event = try JSONParser.parse(Array(line.utf8))
        let id = try #require(event["id"]?.stringValue, "dump line without id: \(line)")
        let seq = try #require(event["seq"]?.numberText.flatMap { UInt64($0) }, "dump line without seq: \(line)")
        return (id, seq)
    }
}

/// `rm -rf dir` (the storage of a passed or failed run; keep it with `PAYHOOKD_CRASH_KEEP=1`).
func removeTree(_ dir: String) {
    guard let pid = try? DaemonProcess.spawn(["/bin/rm", "-rf", dir], env: [:], stderrPath: "/dev/null") else { return }
    var status: Int32 = 0
    waitpid(pid, &status, 0)
}

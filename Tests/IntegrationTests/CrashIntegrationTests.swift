import Glibc
import PayhookCore
import Testing

/// `kill -9` (and SIGTERM) under load, through the real binary: a 200 on `/hooks/` is a promise
/// that the record is on disk, so whatever was acknowledged before a SIGKILL must be in the log
/// after restart, with the seq it was acknowledged with (design.md, Ingest and Log).
@Suite(.serialized) struct CrashIntegrationTests {
    /// Kill rounds: `PAYHOOKD_CRASH_ROUNDS`, default 3.
    static var rounds: Int {
        getenv("PAYHOOKD_CRASH_ROUNDS").flatMap { Int(String(cString: $0)) }.map { max($0, 1) } ?? 3
    }
    /// Load clients (threads, one keep-alive connection each): `PAYHOOKD_CRASH_CLIENTS`, default 8.
    static var clients: Int {
        getenv("PAYHOOKD_CRASH_CLIENTS").flatMap { Int(String(cString: $0)) }.map { max($0, 1) } ?? 8
    }

    /// The smallest segments, the most frequent index snapshots and high-water marks the config
    /// accepts, so that kills also land during segment roll-overs, snapshots and mark writes,
    /// and recovery crosses all three (and checks the log's end against the mark).
    static let storage = """
        segment_bytes = 1048576
        snapshot_every_events = 1000
        acked_mark_interval_ms = 10

        """

    func start(_ dir: String) throws -> DaemonProcess {
        unlink(dir + "/ready")
        return try DaemonProcess(server: ephemeralServer(), sources: Self.storage + fixtureSources, dir: dir)
    }

    @Test(
        "SIGKILL at a random moment under load, several rounds: acked callbacks stored with their seq, seqs unique and increasing, resends duplicate")
    func killUnderLoad() throws {
        try stopUnderLoad(SIGKILL, rounds: Self.rounds)
    }

    @Test("SIGTERM under load drains: exit 0 within the shutdown timeout, acked callbacks stored with their seq, the rest 503 or unanswered")
    func terminateUnderLoad() throws {
        try stopUnderLoad(SIGTERM, rounds: 2)
    }

    /// `rounds` times: start on the same storage, load, stop with `sig` at a random moment;
    /// then start once more and check the log, resends and fresh load.
    func stopUnderLoad(_ sig: Int32, rounds: Int) throws {
        let dir = DaemonProcess.makeTempDir()
        defer { if getenv("PAYHOOKD_CRASH_KEEP") == nil { removeTree(dir) } }
        var acks: [Acknowledged] = []
        var history: [String] = []
        var unanswered: [String] = []
        for round in 1...rounds {
            let (load, note) = try stoppedRound(round, signal: sig, dir: dir, earlier: acks)
            acks += load.acknowledged
            unanswered += load.unanswered
            history.append(note)
            if sig == SIGKILL { history.append(try killedDuringStart(dir)) }
        }
        let d = try start(dir)
        let torn = d.stderr.contains("torn tail cut") ? " (last start cut a torn tail)" : ""
        let context = history.joined(separator: "; ") + torn
        let dumped = try dumpedEvents(storage: dir + "/var", scratch: dir)
        let stored = Set(dumped.map(\.id))
        print(
            "crash test (signal \(sig)): \(context); \(dumped.count) events in \(segments(dir + "/var/log")) segments; \(unanswered.filter(stored.contains).count) of \(unanswered.count) unanswered were stored"
        )
        let lastSeq = try checkLog(dumped, acks: acks, context: context)
        try checkResend(acks, daemon: d, context: context)
        try checkFreshLoad(daemon: d, after: lastSeq, context: context)
        #expect(d.poll() == nil, "the daemon died after the checks: \(d.stderr)")
    }

    /// The number of `.seg` files in `dir`.
    func segments(_ dir: String) -> Int {
        guard let d = opendir(dir) else { return 0 }
        defer { closedir(d) }
        var count = 0
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(".seg") { count += 1 }
        }
        return count
    }

    /// Starts the daemon on `dir`, loads it with `clients` threads, sends `sig` after 50–400 ms
    /// (SIGKILL: it must die of it; SIGTERM: it must drain and exit 0 within 10 s).
    /// Returns what the clients saw and a line for failure messages.
    func stoppedRound(_ round: Int, signal sig: Int32, dir: String, earlier: [Acknowledged]) throws -> (CrashLoad, String) {
        let d = try start(dir)
        let load = CrashLoad()
        let address = d.ingest
        let earlier = earlier.filter { !$0.duplicate }
        let workers = (0..<Self.clients).map { w in
            Worker {
                var client = CrashClient(load, address: address, worker: w, round: round, earlier: earlier)
                client.run()
            }
        }
        let delayMs = Int.random(in: 50...400)
        usleep(UInt32(delayMs * 1000))
        load.stopping = true
        d.signal(sig)
        for w in workers { w.join() }
        let status = d.waitExit(timeoutMs: 10_000)
        #expect(
            status == (sig == SIGKILL ? 128 + SIGKILL : 0), "round \(round): exit \(status.map(String.init) ?? "none (hung, killed)"): \(d.stderr)")
        let acks = load.acknowledged
        let torn = d.stderr.contains("torn tail cut") ? " (started after cutting a torn tail)" : ""
        let note = "round \(round)\(torn): signalled after \(delayMs) ms, \(acks.count) acked, \(load.unanswered.count) unanswered"
        #expect(load.unexpected.isEmpty, "\(note): failures while the daemon ran: \(load.unexpected.prefix(5))")
        return (load, note)
    }

    /// Starts the daemon without waiting and kills it 0–30 ms later, most often during recovery
    /// (torn-tail repair, snapshot load, log replay): recovery itself must be crash-safe.
    func killedDuringStart(_ dir: String) throws -> String {
        unlink(dir + "/ready")
        let d = try DaemonProcess(server: ephemeralServer(), sources: Self.storage + fixtureSources, awaitReady: false, dir: dir)
        let delayMs = Int.random(in: 0...30)
        usleep(UInt32(delayMs * 1000))
        d.signal(SIGKILL)
        let status = d.waitExit()
        let ready = access(dir + "/ready", F_OK) == 0
        #expect(status == 128 + SIGKILL, "start-up kill: exit \(status.map(String.init) ?? "none"): \(d.stderr)")
        return "start-up killed after \(delayMs) ms (\(ready ? "after" : "before") ready)"
    }

    /// The log holds every acknowledged callback with its acknowledged seq; seqs strictly
    /// increase; no event is stored twice. Returns the last seq.
    func checkLog(_ dumped: [(id: String, seq: UInt64)], acks: [Acknowledged], context: String) throws -> UInt64 {
        var seqOf: [String: UInt64] = [:]
        var previous: UInt64 = 0
        var disorder: [String] = []
        var twice: [String] = []
        for (id, seq) in dumped {
            if seq <= previous { disorder.append("\(seq) after \(previous)") }
            if let first = seqOf[id] { twice.append("\(id) at \(first) and \(seq)") }
            previous = max(previous, seq)
            seqOf[id] = seq
        }
        #expect(disorder.isEmpty, "\(disorder.count) seqs not increasing in the dump: \(disorder.prefix(5)) (\(context))")
        #expect(twice.isEmpty, "\(twice.count) events stored twice: \(twice.prefix(5)) (\(context))")
        var ackedSeqs = Set<UInt64>()
        var lost: [String] = []
        var moved: [String] = []
        var reused: [UInt64] = []
        for ack in acks {
            if !ack.duplicate && !ackedSeqs.insert(ack.seq).inserted { reused.append(ack.seq) }
            switch seqOf[ack.id] {
            case nil: lost.append("\(ack.id) seq \(ack.seq) (round \(ack.round))")
            case let stored? where stored != ack.seq: moved.append("\(ack.id) acked \(ack.seq), stored \(stored)")
            default: break
            }
        }
        #expect(reused.isEmpty, "\(reused.count) seqs acknowledged twice as new: \(reused.prefix(5)) (\(context))")
        #expect(lost.isEmpty, "\(lost.count) acknowledged callbacks missing from the log: \(lost.prefix(5)) (\(context))")
        #expect(moved.isEmpty, "\(moved.count) stored under another seq: \(moved.prefix(5)) (\(context))")
        #expect(!acks.isEmpty, "no callback was acknowledged at all (\(context))")
        return previous
    }

    /// Every acknowledged callback sent again is answered `duplicate:true` with its original seq.
    func checkResend(_ acks: [Acknowledged], daemon d: DaemonProcess, context: String) throws {
        let c = try RawClient(d.ingest)
        var wrong: [String] = []
        var seen = Set<String>()
        for ack in acks where seen.insert(ack.id).inserted {
            try c.send(nonstopayRequest("nonstopay-payin", body: ack.body))
            let body = try #require(json(c.readAnswer()), "resend of \(ack.id): no answer")
            if body["duplicate"]?.boolValue != true || body["seq"]?.numberText != String(ack.seq) {
                wrong.append("\(ack.id) seq \(ack.seq): \(body["duplicate"]?.boolValue as Any) \(body["seq"]?.numberText ?? "-")")
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count) resends not answered duplicate with the original seq: \(wrong.prefix(5)) (\(context))")
    }

    /// After the crashes the daemon takes new callbacks under the same load, with fresh seqs.
    func checkFreshLoad(daemon d: DaemonProcess, after lastSeq: UInt64, context: String) throws {
        let load = CrashLoad()
        let address = d.ingest
        let perClient = 25
        let workers = (0..<Self.clients).map { w in
            Worker {
                var client = CrashClient(load, address: address, worker: w, round: 0)
                client.run(limit: perClient)
            }
        }
        for w in workers { w.join() }
        #expect(load.unexpected.isEmpty, "after restart: \(load.unexpected.prefix(5)) (\(context))")
        let acks = load.acknowledged
        #expect(acks.count == Self.clients * (perClient - perClient / 8), "every request but the resends is recorded")
        #expect(acks.allSatisfy { $0.seq > lastSeq }, "a seq at or below \(lastSeq) was given again (\(context))")
        let fresh = acks.filter { !$0.duplicate }
        #expect(Set(fresh.map(\.seq)).count == fresh.count, "a seq was given twice after restart")
        #expect(Set(fresh.map(\.id)) == Set(acks.map(\.id)), "every shared callback was stored by one request")
        #expect(Set(fresh.map(\.id)).count == fresh.count, "a shared callback was stored twice")
        for ack in acks where ack.duplicate {
            #expect(fresh.first { $0.id == ack.id }?.seq == ack.seq, "\(ack.id): duplicate answered with another seq")
        }
    }
}

import PayhookCore
import PayhookHooks
import PayhookNATS
import PayhookPosix

/// A NATS JetStream hook's publisher, on the loop. A worker thread owns the `NATSClient` and
/// makes the blocking calls (connect, stream check, a publish that stalls at max pending);
/// NATS.c's threads do the socket I/O and report each JetStream ack; acks and failures come
/// back to the loop through its executor. An attempt ends once: at its ack, its error, or a
/// loop timer a little after the publish wait (a lost ack must not hold the payment forever).
final class HookNATS {
    typealias Done = (Result<UInt64, HookFailure>) -> Void

    /// What the worker thread is asked to do.
    private enum Job: Sendable {
        case setup
        case publish(Publish)
        case status(StatusUpdate)
        case close
    }

    private struct Publish: Sendable {
        let token: UInt64
        let subject: String
        let headers: [(String, String)]
        let data: [UInt8]
        let maxWaitMs: Int64
    }

    /// A payment's last-seen status for the status bucket, ranked against what is there.
    private struct StatusUpdate: Sendable {
        let token: UInt64
        let key: String
        let value: [UInt8]
        let status: PaymentStatus
    }

    private let loop: EventLoop
    private let worker: QueueWorker<Job>
    private let link: Link
    private var pending: [UInt64: (done: Done, timer: TimerID)] = [:]
    let timeoutMs: Int64
    /// Slack past the publish wait before the loop gives up on an ack.
    static let ackGraceMs: Int64 = 2000

    init(name: String, urls: [String], settings: Config.NATS, maxInFlight: Int, timeoutMs: Int, loop: EventLoop) throws {
        self.loop = loop
        self.timeoutMs = Int64(timeoutMs)
        var options = NATSConnectOptions(urls: urls)
        options.name = "payhookd-\(name)"
        (options.user, options.password, options.token) = (settings.user, settings.password, settings.token)
        (options.credsFile, options.nkey, options.nkeySeedFile) = (settings.credsFile, settings.nkey, settings.nkeySeedFile)
        (options.tlsCAFile, options.tlsCertFile, options.tlsKeyFile) = (settings.tlsCAFile, settings.tlsCertFile, settings.tlsKeyFile)
        options.timeoutMs = Int64(timeoutMs)
        options.maxPending = maxInFlight
        let link = Link(hook: name, options: options, settings: settings, executor: loop.executor)
        self.link = link
        worker = try QueueWorker(name: "payhookd-nats") { jobs, _ in link.run(jobs) }
        link.owner = LoopBound(Weak(self))
        worker.submit(.setup)
    }

    /// Publishes one event; `done` runs on the loop with the stream sequence or the failure.
    func publish(token: UInt64, subject: String, headers: [(String, String)], data: [UInt8], done: @escaping Done) {
        track(token, done)
        worker.submit(.publish(Publish(token: token, subject: subject, headers: headers, data: data, maxWaitMs: timeoutMs)))
    }

    /// Writes `value` (the payment JSON, whose status is `status`) under `key` in the status
    /// bucket unless the entry there ranks higher; `done` runs on the loop.
    func updateStatus(token: UInt64, key: String, value: [UInt8], status: PaymentStatus, done: @escaping Done) {
        track(token, done)
        worker.submit(.status(StatusUpdate(token: token, key: key, value: value, status: status)))
    }

    private func track(_ token: UInt64, _ done: @escaping Done) {
        if let old = pending.removeValue(forKey: token) { loop.releaseTimer(old.timer) }
        let timer = loop.makeTimer { [weak self] in
            self?.complete(token, .failure(HookFailure(cause: .timeout, message: "no JetStream answer within \(self?.timeoutMs ?? 0) ms")))
        }
        loop.schedule(timer, afterMs: timeoutMs + Self.ackGraceMs)
        pending[token] = (done, timer)
    }

    /// The error of the last setup, or nil once the stream was checked (for the journal at start).
    var onSetup: (HookFailure?) -> Void = { _ in }

    fileprivate func complete(_ token: UInt64, _ result: Result<UInt64, HookFailure>) {
        guard let entry = pending.removeValue(forKey: token) else { return }
        loop.releaseTimer(entry.timer)
        entry.done(result)
    }

    /// Stops the worker and closes the connection; pending attempts are dropped (their events
    /// stay in the cursor and are sent again at the next start).
    func close() {
        for entry in pending.values { loop.releaseTimer(entry.timer) }
        pending = [:]
        worker.submit(.close)
        worker.shutdown()
    }

    fileprivate final class Weak {
        weak var value: HookNATS?
        init(_ value: HookNATS) { self.value = value }
    }

    /// The worker thread's side: the client (made at the first job, remade after a failed setup
    /// or a closed connection), the hook's stream settings, and the way back to the loop.
    private final class Link: @unchecked Sendable {
        // `client` is touched by the worker thread only; `owner` is written once on the loop
        // before the first job is submitted (the queue's lock orders it) and only carried.
        let hook: String
        let options: NATSConnectOptions
        let settings: Config.NATS
        let executor: LoopExecutor
        var owner: LoopBound<Weak>?
        private var client: NATSClient?
        private var kv: NATSKeyValue?

        init(hook: String, options: NATSConnectOptions, settings: Config.NATS, executor: LoopExecutor) {
            self.hook = hook
            self.options = options
            self.settings = settings
            self.executor = executor
        }

        func run(_ jobs: [Job]) {
            // One connect per batch at most: when NATS is down, the batch's other attempts fail
            // with the same error instead of each waiting out its own connect timeout.
            var setupFailure: HookFailure?
            for job in jobs {
                switch job {
                case .setup: _ = ready()
                case .publish(let p):
                    if let setupFailure { back(p.token, .failure(setupFailure)) } else { setupFailure = publish(p) }
                case .status(let u):
                    if let setupFailure { back(u.token, .failure(setupFailure)) } else { setupFailure = update(u) }
                case .close:
                    kv?.close()
                    kv = nil
                    client?.close()
                    client = nil
                }
            }
        }

        /// Publishes `p`; returns the setup's failure when there is no client to publish with.
        private func publish(_ p: Publish) -> HookFailure? {
            let client: NATSClient
            switch ready() {
            case .success(let c): client = c
            case .failure(let failure):
                back(p.token, .failure(failure))
                return failure
            }
            do throws(NATSError) {
                try client.publish(subject: p.subject, headers: p.headers, data: p.data, token: p.token, maxWaitMs: p.maxWaitMs)
            } catch {
                if error.isClosed {
                    client.close()
                    self.client = nil
                }
                back(p.token, .failure(HookFailure(cause: .connect, message: error.message)))
            }
            return nil
        }

        /// Compare-and-set on the entry's revision: a lower rank never overwrites a higher one,
        /// whichever instance writes first (`PaymentStatus.replaces`, design.md's rule).
        private func update(_ u: StatusUpdate) -> HookFailure? {
            if case .failure(let failure) = ready() {
                back(u.token, .failure(failure))
                return failure
            }
            guard let kv else {
                back(u.token, .success(0))
                return nil
            }
            do throws(NATSError) {
                let outcome = try kv.put(u.key, value: u.value) { current in
                    let status = (try? JSONParser.parse(current))?["status"]?.stringValue.flatMap(PaymentStatus.init(rawValue:))
                    return PaymentStatus.replaces(u.status, current: status)
                }
                switch outcome {
                case .written(let revision), .kept(let revision): back(u.token, .success(revision))
                }
            } catch {
                back(u.token, .failure(HookFailure(cause: .status, message: "status bucket: " + error.message)))
            }
            return nil
        }

        /// The connected client whose stream was checked, or the setup's failure (reported
        /// to the loop for the journal; the attempt that needed it fails and is retried later).
        private func ready() -> Result<NATSClient, HookFailure> {
            if let client { return .success(client) }
            let result: Result<NATSClient, HookFailure>
            do throws(NATSError) {
                let c = try NATSClient(options) { [weak self] token, result in
                    self?.back(token, result.mapError { Self.failure($0) })
                }
                do throws(NATSError) {
                    let pattern = NATSSubject(settings.subject).pattern
                    let check = try c.ensureStream(
                        settings.stream, pattern: pattern, duplicateWindowMs: settings.duplicateWindowMs, create: settings.create)
                    Journal.info("hook \(hook): NATS connected, stream \(settings.stream) \(check == .created ? "created" : "in use") for \(pattern)")
                    if let bucket = settings.statusBucket {
                        kv = try NATSKeyValue(
                            c, bucket: bucket, history: settings.statusHistory, replicas: settings.statusReplicas, create: settings.create)
                    }
                } catch {
                    c.close()
                    throw error
                }
                client = c
                result = .success(c)
            } catch {
                result = .failure(HookFailure(cause: .connect, message: "nats: " + error.message))
            }
            let setup: HookFailure? = if case .failure(let f) = result { f } else { nil }
            if let owner { executor.execute(owner) { $0.value?.onSetup(setup) } }
            return result
        }

        static func failure(_ error: NATSError) -> HookFailure {
            HookFailure(cause: error.isTimeout ? .timeout : .status, message: error.message)
        }

        private func back(_ token: UInt64, _ result: Result<UInt64, HookFailure>) {
            guard let owner else { return }
            executor.execute(owner) { $0.value?.complete(token, result) }
        }
    }
}

import Glibc
import PayhookPosix

/// What a SIGHUP may change, as one immutable value. The loop reads it per request; a reload
/// replaces it with one assignment between two requests, so sources, secrets, proxy trust and the
/// admin token always belong to the same file. ([[hooks]] are applied in the same step by
/// `HookSet.apply`: their drivers hold cursors and connections, so they are swapped, not read.)
struct LiveSettings: Sendable {
    let config: Config
    let sources: SourceTable
    /// Signature scheme per source (`verified_by`), for the admin payment answer.
    let schemes: [String: String]
    /// The same, by a name's bytes (`SchemeTable`).
    let schemeTable: SchemeTable
    var adminToken: String? { config.server.adminToken }

    /// Built off the loop on reload: the provider adapters are set up here, not between requests.
    init(_ config: Config) {
        self.config = config
        sources = SourceTable(config: config)
        schemes = sources.sources.mapValues { $0.provider.scheme.rawValue }
        schemeTable = SchemeTable(schemes)
    }
}

/// Signature schemes by source name, for a name given as UTF-8 bytes (a status query's path).
/// For a few sources a compare each beats making a `String` and hashing it (together a
/// twentieth of a status query's instructions). A class: the loop reads it out of the live
/// settings as one reference (a method on `LiveSettings` itself copied the whole value).
final class SchemeTable: Sendable {
    /// Up to this many sources names are compared byte for byte; past it, hashed.
    static let listedSources = 16
    private let schemes: [String: String]
    private let list: [(name: [UInt8], scheme: String)]

    init(_ schemes: [String: String]) {
        self.schemes = schemes
        list = schemes.count <= Self.listedSources ? schemes.map { (Array($0.key.utf8), $0.value) } : []
    }

    func scheme(ofSource name: UnsafeRawBufferPointer) -> String? {
        guard schemes.count <= Self.listedSources else { return schemes[String(decoding: name, as: UTF8.self)] }
        for entry in list where entry.name.count == name.count {
            if name.isEmpty || entry.name.withUnsafeBytes({ memcmp($0.baseAddress!, name.baseAddress!, name.count) == 0 }) { return entry.scheme }
        }
        return nil
    }
}

/// The current `LiveSettings`. Loop thread only.
final class LiveSettingsCell {
    var current: LiveSettings
    init(_ settings: LiveSettings) { current = settings }
}

/// SIGHUP, off the loop: a worker thread reads and validates the file and its secret files
/// (either may be slow: a FIFO, a stalled network filesystem); the loop then logs each changed key
/// that needs a restart by name and swaps in the new `LiveSettings`. A file that does not load is
/// refused and the running settings stay.
final class Reloader {
    let live: LiveSettingsCell
    /// The configuration the process started with: a restart-only key is reported whenever the
    /// file's value differs from the one in effect, however many reloads happened since.
    let started: Config
    private let executor: LoopExecutor
    private var worker: QueueWorker<Job>!
    /// Applies a changed [[hooks]] list (`HookSet.apply`); returns what changed. Loop thread.
    var applyHooks: ([Config.Hook]) -> [String] = { _ in [] }

    /// `done` gets the refusal message (`file:line: message`), or nil once applied. Loop thread.
    typealias Done = (_ problem: String?) -> Void

    private struct Job: @unchecked Sendable {
        // Created on the loop, carried by the worker untouched, run on the loop again.
        let done: Done
    }

    private struct OnLoop: @unchecked Sendable {
        // Runs only on the loop thread (through the executor), where every captured object lives.
        let run: () -> Void
    }

    init(started: Config, live: LiveSettingsCell, executor: LoopExecutor) throws(SyscallError) {
        self.started = started
        self.live = live
        self.executor = executor
        // Held strongly: the thread may still sit on a slow file while `serve` returns; the
        // reloader lives as long as the process anyway.
        worker = try QueueWorker(name: "payhookd-reload") { [self] jobs, _ in
            for job in jobs { load(job) }
        }
    }

    /// Starts a reload; `done` runs on the loop when it is applied or refused. Loop thread.
    func reload(_ done: @escaping Done) {
        guard !started.path.isEmpty else { return done("no configuration file to re-read") }
        worker.submit(Job(done: done))
    }

    /// On the worker: read, validate, build; then hand the result to the loop.
    private func load(_ job: Job) {
        let result: Result<LiveSettings, ConfigError> = Result { () throws(ConfigError) in LiveSettings(try started.reload()) }
        let apply = OnLoop { [self] in
            switch result {
            case .success(let next): job.done(swap(next))
            case .failure(let error): job.done("\(error)")
            }
        }
        executor.execute { apply.run() }
    }

    /// On the loop: names what needs a restart, then applies the rest in one assignment.
    private func swap(_ next: LiveSettings) -> String? {
        for key in Settings.restartRequired(started, next.config) {
            Journal.warning("reload: \(key) changed: applies after a restart")
        }
        for warning in next.config.warnings { Journal.warning("config: \(warning)") }
        if !Settings.hooksChanged(live.current.config.hooks, next.config.hooks).isEmpty {
            for change in applyHooks(next.config.hooks) { Journal.info("reload: hook \(change)") }
        }
        live.current = next
        return nil
    }
}

import PayhookCore
import PayhookLog
import PayhookProviders

/// The daemon's configuration: the TOML file (`design.md`, "Config") after validation.
/// Each key's default is its initial value here, declared once: the table of settings
/// (`Settings*.swift`) reads it for the example config, the README and the tests. Ranges, units
/// and help live in the table.
public struct Config: Sendable, Equatable {
    public var server = Server()
    public var storage = Storage()
    public var sources: [Source] = []
    public var hooks: [Hook] = []
    /// The file it was read from (errors and relative secret paths refer to it).
    public var path: String = ""
    /// Accepted but noteworthy settings (e.g. `signature = "none"`); the daemon logs each at start.
    public var warnings: [ConfigWarning] = []
    /// The environment variables loading used (`CREDENTIALS_DIRECTORY`), so that a SIGHUP reload
    /// reads secrets from the same place (see `reload()`).
    public var loadEnvironment: [String: String] = [:]

    public init() {}

    public struct Server: Sendable, Equatable {
        /// Listen addresses: `HOST:PORT`, `[V6]:PORT` or `unix:/path`.
        public var ingest: [String] = ["127.0.0.1:8480"]
        public var admin: [String] = ["127.0.0.1:8481"]
        /// Peers whose `X-Real-IP` / `X-Forwarded-For` are believed. Addresses or CIDR blocks.
        public var trustedProxies: [String] = ["127.0.0.1", "::1"]
        /// Bearer token for the admin API; read from `admin_token_file` (or `admin_token`).
        public var adminToken: String? = nil
        /// Open connections at most, over all listeners.
        public var maxConnections: Int = 4096
        /// Connections kept for the admin listener alone, so an ingest flood never locks operators
        /// out (ingest holds at most `maxConnections` minus this).
        public var adminReserveConnections: Int = 32
        /// Connections the admin listener holds at most, so idle admin clients never lock ingest
        /// out (ingest always keeps `maxConnections` minus this). Unset: half of `maxConnections`
        /// when that is smaller.
        public var maxAdminConnections: Int = 256
        /// With an admin token: an admin connection that has not sent a request with the valid
        /// token is closed this long after it was accepted.
        public var adminUnauthenticatedTimeoutMs: Int = 3000
        /// Request body size limit in bytes (413 above).
        public var maxBodyBytes: Int = 1_048_576
        /// Request line length limit in bytes (414 above).
        public var maxRequestLineBytes: Int = 8192
        /// Header section size limit in bytes (431 above).
        public var maxHeaderBytes: Int = 16_384
        /// Header field count limit (431 above).
        public var maxHeaderCount: Int = 64
        /// Trailer section size limit of a chunked body, in bytes (431 above).
        public var maxTrailerBytes: Int = 4096
        /// Chunk extension size limit per chunk, in bytes (400 above).
        public var maxChunkExtensionBytes: Int = 256
        /// Time to receive a whole request head (408 above).
        public var headerTimeoutMs: Int = 10_000
        /// Time to receive a whole request body once the head is in (408 above).
        public var bodyTimeoutMs: Int = 30_000
        /// Time a kept-alive connection may sit idle between requests.
        public var idleTimeoutMs: Int = 60_000
        /// Time SIGTERM waits for in-flight requests before closing them.
        public var shutdownTimeoutMs: Int = 10_000
        /// A client that reads none of our answer bytes for this long is cut off.
        public var sendTimeoutMs: Int = 30_000
        /// Requests of one connection handed to routes and not answered yet; reading pauses at
        /// this many (pipelining backpressure).
        public var maxPipelinedRequests: Int = 16
        /// Events one `GET /v1/events` answer holds at most (a larger `limit` is clamped).
        public var maxEventsPage: Int = 1000
        /// Longest `wait` of a `GET /v1/events` long poll, in seconds (400 above).
        public var maxLongPollSeconds: Int = 60
        /// Bytes of log lines waiting for stderr at most; past it lines are dropped and
        /// counted (`payhook_log_lines_dropped_total`).
        public var logQueueBytes: Int = 262_144
        /// A refusal repeated (same source and reason) is logged once per window, then as one
        /// line with a count.
        public var logRepeatWindowMs: Int = 10_000
        /// `GET /v1/events?wait=` requests held at once (503 with Retry-After above).
        public var maxLongPollWaiters: Int = 1024
        /// Status answers kept by payment, with the record they were written from
        /// (`StatusAnswerCache`), 640 bytes each; 0 keeps none.
        public var statusCacheEntries: Int = 8192
        /// HTTP/2 streams one connection may have open; more are refused (RST_STREAM REFUSED_STREAM).
        public var h2MaxConcurrentStreams: Int = 100
        /// Decoded header list of one HTTP/2 request, in bytes (431 on the stream above).
        public var h2MaxHeaderListBytes: Int = 16_384
        /// HTTP/2 request body bytes a connection may have in flight and buffered (the connection window).
        public var h2ConnectionWindowBytes: Int = 1_048_576
        /// HTTP/2 body bytes one stream may send ahead (SETTINGS_INITIAL_WINDOW_SIZE).
        public var h2StreamWindowBytes: Int = 262_144
        /// RST_STREAM frames an HTTP/2 client may send per second (same burst) before GOAWAY: rapid reset.
        public var h2MaxResetsPerSecond: Int = 100
        /// SETTINGS, PING, WINDOW_UPDATE and PRIORITY frames an HTTP/2 client may send per second before GOAWAY(ENHANCE_YOUR_CALM).
        public var h2MaxControlFramesPerSecond: Int = 1_000
        public init() {}
    }

    public struct Storage: Sendable, Equatable {
        public var dir: String = "/var/lib/payhookd"
        /// A segment is closed and a new one started past this size.
        public var segmentBytes: Int = 67_108_864
        /// Whole segments older than this (and delivered to every hook) are deleted.
        public var retentionDays: Int = 90
        /// Dedup entries, and payments whose events all left retention, live this much longer.
        public var dedupExtraDays: Int = 30
        /// Bound on the rejects store; the oldest rejects are dropped first.
        public var rejectsMaxBytes: Int = 67_108_864
        /// Segment files the rejects bound is split into (the oldest is deleted whole).
        public var rejectsSegments: Int = 8
        /// Rejects are not written while the filesystem has less free space than this, so the
        /// log finds room first.
        public var rejectsReserveBytes: Int = 268_435_456
        /// Rejects waiting for the writer thread at most (entries).
        public var rejectsQueueEntries: Int = 1024
        /// Rejects waiting for the writer thread at most (bytes).
        public var rejectsQueueBytes: Int = 4_194_304
        /// Rejects kept per second per (source, client) past the burst; the rest are sampled
        /// out.
        public var rejectsClientRatePerSecond: Int = 5
        /// Rejects kept in a row per (source, client) before sampling.
        public var rejectsClientBurst: Int = 50
        /// (source, client) pairs tracked for sampling at most.
        public var rejectsMaxClients: Int = 4096
        /// At shutdown, rejects still queued after this are dropped (counted).
        public var rejectsShutdownMs: Int = 2000
        /// A hook's parked file larger than this is not read into memory (start-up stops).
        public var hookParkedMaxBytes: Int = 268_435_456
        /// Records written per group commit at most.
        public var maxBatchRecords: Int = 1024
        /// A snapshot of the indexes is written every this many events.
        public var snapshotEveryEvents: Int = 100_000
        /// The high-water mark `log/acked` is rewritten at most this often.
        public var ackedMarkIntervalMs: Int = 1000
        /// When the segments a snapshot covers are CRC-checked: before READY (damage stops
        /// start-up) or after it, in the background (damage is reported).
        public var checkCovered: CoveredCheckMode = .beforeOpen
        public init() {}
    }

    /// The providers and signature schemes are the adapters' own (one list, one spelling).
    public typealias Provider = ProviderSource.Provider
    public typealias SignatureScheme = ProviderSource.Scheme

    public struct Source: Sendable, Equatable {
        public var name: String
        public var provider: Provider
        /// nonstopay: payin | nft | payout; noventiq: payment.
        public var kind: String
        public var signature: SignatureScheme
        /// Secrets tried in order (rotation); bytes as read, trailing newline of files removed.
        public var secrets: [[UInt8]]
        /// Noventiq: secrets per event name, tried before the default ones.
        public var eventSecrets: [String: [[UInt8]]]
        /// Client addresses or CIDR blocks allowed; empty means any.
        public var allowFrom: [String]
        /// Body size limit of this source in bytes (413 above, as soon as the head or the chunks
        /// announce more). Default 64 KiB, or `[server] max_body_bytes` when that is smaller:
        /// Noventiq and Nonstopay bodies are a few KiB, and a forged body must not cost the loop
        /// more than a genuine one could. At most the server's value.
        public var maxBodyBytes: Int = Source.defaultMaxBodyBytes
        public static let defaultMaxBodyBytes = 65_536
        /// The config line of `[[sources]]`, for messages.
        public var line: Int

        public init(
            name: String, provider: Provider, kind: String, signature: SignatureScheme,
            secrets: [[UInt8]] = [], eventSecrets: [String: [[UInt8]]] = [:], allowFrom: [String] = [], line: Int = 0
        ) {
            self.name = name
            self.provider = provider
            self.kind = kind
            self.signature = signature
            self.secrets = secrets
            self.eventSecrets = eventSecrets
            self.allowFrom = allowFrom
            self.line = line
        }
    }

    public struct Hook: Sendable, Equatable {
        public enum Target: Sendable, Equatable {
            /// `http://127.0.0.1:9000/path` (loopback only) or `unix:/run/app.sock:/path`.
            case url(String)
            case command([String])
            /// `nats_url`: one server or a cluster's (`nats://host:4222`); see `Config.NATS`.
            case nats([String])
        }
        public var name: String
        public var target: Target
        /// Source names this hook receives; empty means all.
        public var sources: [String] = []
        /// Normalized statuses this hook receives; empty means all.
        public var statuses: [PaymentStatus] = []
        /// Per-attempt timeout.
        public var timeoutMs: Int = 5000
        /// Give up (park) an event after retrying for this long.
        public var retryMaxAgeMs: Int64 = 72 * 3_600_000
        /// Deliveries in flight at once for this hook.
        public var maxInFlight: Int = 4
        /// Requests written on one connection before their answers (HTTP/1.1 pipelining).
        public var maxPipelined: Int = 16
        public var signingSecret: [UInt8]? = nil
        /// Event kinds this hook receives; empty means all.
        public var kinds: [String] = []
        /// Whether quarantined events (stored, not understood) reach this hook.
        public var quarantined = false
        /// A new hook (no cursor yet) starts at the end of the log unless `start = "beginning"`.
        public var startAtBeginning = false
        /// Longest wait between two attempts, Retry-After included.
        public var retryMaxIntervalMs: Int64 = 600_000
        /// Subject, stream and credentials of a `nats_url` hook (`Config+NATS.swift`).
        public var nats = NATS()
        public var line: Int = 0

        public init(name: String, target: Target) {
            self.name = name
            self.target = target
        }
    }
}

import CNATS
import Glibc
import Synchronization

/// How to reach a NATS server or cluster and who to be there. File paths are already resolved
/// (the daemon resolves them like secret files); NATS.c reads them itself at connect.
public struct NATSConnectOptions: Sendable, Equatable {
    public var urls: [String]
    public var name = "payhookd"
    public var user: String?
    public var password: String?
    public var token: String?
    public var credsFile: String?
    /// NKey public key (`U...`) and the seed file that signs the server's nonce.
    public var nkey: String?
    public var nkeySeedFile: String?
    public var tlsCAFile: String?
    public var tlsCertFile: String?
    public var tlsKeyFile: String?
    /// Connect timeout and the JetStream API wait.
    public var timeoutMs: Int64 = 5000
    /// Asynchronous publishes outstanding at once (the hook's `max_in_flight`).
    public var maxPending: Int = 4
    /// Pause between reconnect attempts: a server that is down costs one dial per interval.
    public var reconnectWaitMs: Int64 = 1000

    public init(urls: [String]) { self.urls = urls }
}

/// One connection and its JetStream context. NATS.c's own threads do the socket I/O and call
/// `onAck` (on a library thread) once per asynchronous publish: the stream sequence, or the
/// error (server refusal, no stream for the subject, no ack within the publish's wait).
/// Blocking calls (`init`, `ensureStream`, `publish`'s stall) belong on a worker thread.
public final class NATSClient: @unchecked Sendable {
    // The pointers are set once in init and only read after; NATS.c's objects are thread safe.
    public typealias AckHandler = @Sendable (_ token: UInt64, _ result: Result<UInt64, NATSError>) -> Void

    /// The header that carries the token of a publish back to `onAck` (the event's seq).
    public static let tokenHeader = "Payhook-Seq"

    private let connection: OpaquePointer
    let js: OpaquePointer
    private let acks: AckBox
    let timeoutMs: Int64

    /// Connects (blocking, up to `timeoutMs` per server) and opens the JetStream context.
    public init(_ options: NATSConnectOptions, onAck: @escaping AckHandler) throws(NATSError) {
        var opts: OpaquePointer?
        var s = natsOptions_Create(&opts)
        guard s == NATS_OK, let opts else { throw NATSError(s, "nats options") }
        defer { natsOptions_Destroy(opts) }
        try Self.configure(opts, options)
        var nc: OpaquePointer?
        s = natsConnection_Connect(&nc, opts)
        guard s == NATS_OK, let nc else { throw NATSError(s, "connect to \(options.urls.joined(separator: ","))") }
        // Lives as long as NATS.c may call the handler: the library gives no "last callback"
        // signal after jsCtx_Destroy, so the box is released never (one per connection made).
        let box = AckBox(onAck)
        var jo = jsOptions()
        jsOptions_Init(&jo)
        jo.Wait = options.timeoutMs
        jo.PublishAsync.MaxPending = Int64(options.maxPending)
        jo.PublishAsync.AckHandlerClosure = Unmanaged.passRetained(box).toOpaque()
        jo.PublishAsync.AckHandler = { _, msg, pa, pae, closure in
            defer { natsMsg_Destroy(msg) }
            guard let closure else { return }
            let box = Unmanaged<AckBox>.fromOpaque(closure).takeUnretainedValue()
            var value: UnsafePointer<CChar>?
            guard natsMsgHeader_Get(msg, NATSClient.tokenHeader, &value) == NATS_OK, let value,
                let token = UInt64(String(cString: value))
            else { return }
            if let pa {
                box.deliver(token, .success(pa.pointee.Sequence))
            } else if let pae {
                var text = String(cString: natsStatus_GetText(pae.pointee.Err))
                if let t = pae.pointee.ErrText { text = String(cString: t) }
                let code = Int32(pae.pointee.ErrCode.rawValue)
                box.deliver(token, .failure(NATSError(status: Int32(pae.pointee.Err.rawValue), jsCode: code, message: "publish: " + text)))
            }
        }
        var ctx: OpaquePointer?
        s = natsConnection_JetStream(&ctx, nc, &jo)
        guard s == NATS_OK, let ctx else {
            natsConnection_Destroy(nc)
            throw NATSError(s, "jetstream context")
        }
        connection = nc
        js = ctx
        acks = box
        timeoutMs = options.timeoutMs
    }

    private static func configure(_ opts: OpaquePointer, _ o: NATSConnectOptions) throws(NATSError) {
        func check(_ s: natsStatus, _ what: String) throws(NATSError) { if s != NATS_OK { throw NATSError(s, what) } }
        var urls = o.urls.map { strdup($0) }
        defer { for u in urls { free(u) } }
        let s = urls.withUnsafeMutableBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: p.count) {
                natsOptions_SetServers(opts, $0, Int32(p.count))
            }
        }
        try check(s, "nats_url")
        try check(natsOptions_SetName(opts, o.name), "name")
        try check(natsOptions_SetTimeout(opts, o.timeoutMs), "timeout")
        // Once connected, reconnect forever, one dial per `reconnectWaitMs`: publishes made
        // meanwhile wait in the library's buffer or time out and are retried by the hook.
        try check(natsOptions_SetMaxReconnect(opts, -1), "max reconnect")
        try check(natsOptions_SetReconnectWait(opts, o.reconnectWaitMs), "reconnect wait")
        if let user = o.user { try check(natsOptions_SetUserInfo(opts, user, o.password), "nats_user") }
        if let token = o.token { try check(natsOptions_SetToken(opts, token), "nats_token") }
        if let creds = o.credsFile { try check(natsOptions_SetUserCredentialsFromFiles(opts, creds, nil), "nats_creds_file") }
        if let seed = o.nkeySeedFile { try check(natsOptions_SetNKeyFromSeed(opts, o.nkey, seed), "nats_nkey_seed_file") }
        if o.tlsCAFile != nil || o.tlsCertFile != nil {
            try check(natsOptions_SetSecure(opts, true), "tls")
        }
        if let ca = o.tlsCAFile { try check(natsOptions_LoadCATrustedCertificates(opts, ca), "nats_tls_ca_file") }
        if let cert = o.tlsCertFile, let key = o.tlsKeyFile {
            try check(natsOptions_LoadCertificatesChain(opts, cert, key), "nats_tls_cert_file")
        }
    }

    /// Publishes `data` to `subject` without waiting; `onAck` gets `token` with the outcome,
    /// or this throws (and `onAck` is not called). Waits only while `maxPending` are out.
    public func publish(subject: String, headers: [(String, String)], data: [UInt8], token: UInt64, maxWaitMs: Int64) throws(NATSError) {
        var msg: OpaquePointer?
        var s = data.withUnsafeBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(p.count, 1)) {
                natsMsg_Create(&msg, subject, nil, $0, Int32(p.count))
            }
        }
        guard s == NATS_OK, msg != nil else { throw NATSError(s, "message") }
        defer { natsMsg_Destroy(msg) }
        for (key, value) in headers + [(Self.tokenHeader, String(token))] {
            s = natsMsgHeader_Set(msg, key, value)
            guard s == NATS_OK else { throw NATSError(s, "header \(key)") }
        }
        var po = jsPubOptions()
        jsPubOptions_Init(&po)
        po.MaxWait = maxWaitMs
        s = js_PublishMsgAsync(js, &msg, &po)
        guard s == NATS_OK else { throw NATSError(s, "publish to \(subject)") }
    }

    /// Closes the connection; later acks are dropped.
    public func close() {
        acks.cancel()
        jsCtx_Destroy(js)
        natsConnection_Destroy(connection)
    }
}

/// The ack handler, reachable from NATS.c's thread; `cancel` stops delivery at close.
final class AckBox: Sendable {
    /// The closure sits in a struct: a bare function value held in the generic Mutex is
    /// reabstracted at each `inout` access and written back wrapped in one more thunk, so every
    /// ack ran through one more layer than the last (the drain slowed with each message).
    private struct Handler { let call: NATSClient.AckHandler }
    private let handler: Mutex<Handler?>
    init(_ handler: @escaping NATSClient.AckHandler) { self.handler = Mutex(Handler(call: handler)) }
    func deliver(_ token: UInt64, _ result: Result<UInt64, NATSError>) { handler.withLock { $0 }?.call(token, result) }
    func cancel() { handler.withLock { $0 = nil } }
}

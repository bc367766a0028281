import CNATS

/// A JetStream key-value bucket, written with compare-and-set so that several writers (payhookd
/// instances) agree: `put` reads the entry, asks `replaces` whether the new value wins, and
/// writes on the revision it read; a concurrent write makes the server refuse (wrong last
/// sequence) and the loop reads again. Blocking: call on a worker thread.
public final class NATSKeyValue: @unchecked Sendable {
    // Set once in init; NATS.c's kvStore is thread safe.
    private let kv: OpaquePointer

    /// What `put` did.
    public enum PutOutcome: Sendable, Equatable {
        case written(revision: UInt64)
        /// The entry holds a value that `replaces` said must stay.
        case kept(revision: UInt64)
    }

    /// Opens `bucket`, creating it (file storage, `history`, `replicas`) when missing and `create`.
    public init(_ client: NATSClient, bucket: String, history: Int, replicas: Int, create: Bool) throws(NATSError) {
        var store: OpaquePointer?
        var s = js_KeyValue(&store, client.js, bucket)
        if s != NATS_OK {
            guard s == NATS_NOT_FOUND else { throw NATSError(s, "status bucket `\(bucket)`") }
            guard create else { throw NATSError(status: Int32(s.rawValue), message: "status bucket `\(bucket)` does not exist (create = false)") }
            var config = kvConfig()
            kvConfig_Init(&config)
            config.History = UInt8(history)
            config.Replicas = Int32(replicas)
            config.StorageType = js_FileStorage
            s = bucket.withCString { b in
                config.Bucket = b
                return js_CreateKeyValue(&store, client.js, &config)
            }
            guard s == NATS_OK else { throw NATSError(s, "create status bucket `\(bucket)`") }
        }
        kv = store!
    }

    /// The bucket's history setting (values kept per key).
    public var history: Int {
        var sts: OpaquePointer?
        guard kvStore_Status(&sts, kv) == NATS_OK, let sts else { return 0 }
        defer { kvStatus_Destroy(sts) }
        return Int(kvStatus_History(sts))
    }

    /// The current value and revision of `key`, nil when absent or deleted.
    public func get(_ key: String) throws(NATSError) -> (value: [UInt8], revision: UInt64)? {
        var entry: OpaquePointer?
        let s = kvStore_Get(&entry, kv, key)
        if s == NATS_NOT_FOUND { return nil }
        guard s == NATS_OK, let entry else { throw NATSError(s, "get `\(key)`") }
        defer { kvEntry_Destroy(entry) }
        let n = Int(kvEntry_ValueLen(entry))
        var value: [UInt8] = []
        if n > 0, let p = kvEntry_Value(entry) { value = Array(UnsafeRawBufferPointer(start: p, count: n)) }
        return (value, kvEntry_Revision(entry))
    }

    /// Compare-and-set of `key`: writes `value` unless the current value wins over it
    /// (`replaces(current)` false); retries after a concurrent write, `maxAttempts` times.
    public func put(_ key: String, value: [UInt8], maxAttempts: Int = 32, replaces: ([UInt8]) -> Bool) throws(NATSError) -> PutOutcome {
        for _ in 0..<maxAttempts {
            var revision: UInt64 = 0
            let current = try get(key)
            let s: natsStatus
            if let current {
                guard replaces(current.value) else { return .kept(revision: current.revision) }
                s = value.withUnsafeBytes { kvStore_Update(&revision, kv, key, $0.baseAddress, Int32($0.count), current.revision) }
            } else {
                s = value.withUnsafeBytes { kvStore_Create(&revision, kv, key, $0.baseAddress, Int32($0.count)) }
            }
            if s == NATS_OK { return .written(revision: revision) }
            let error = NATSError(s, "put `\(key)`")
            // Someone wrote between our read and our write (the server refused our revision):
            // read again. Any other failure leaves the entry as we read it.
            guard try get(key)?.revision != current?.revision else { throw error }
        }
        throw NATSError(message: "put `\(key)`: still conflicting after \(maxAttempts) attempts")
    }

    public func close() { kvStore_Destroy(kv) }
}

/// KV key parts: bytes in `[-_A-Za-z0-9]` stay, every other byte (`=` too) becomes `=XX`
/// (upper-case hex), so distinct ids never collide and any id makes a valid key token.
public enum NATSKey {
    public static func escape(_ part: String) -> String {
        var out = ""
        for b in part.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "=" + String(decoding: [hex[Int(b >> 4)], hex[Int(b & 15)]], as: UTF8.self)
            }
        }
        return out.isEmpty ? "=" : out
    }

    /// `{source}.{payment id}`, each escaped.
    public static func payment(source: String, paymentID: String) -> String { escape(source) + "." + escape(paymentID) }
}

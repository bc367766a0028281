import PayhookCore
import PayhookLog

/// The distinct sources of the payments a raw pass saw (`LogIndex.scanPayments`), gathered
/// without a string per payment: an intern id is marked once, an inline source (longer than
/// interning takes, or past the intern list's bound) is compared with the few already seen.
public struct PaymentSourceScan {
    private var internSeen: [Bool] = []
    private var inline: [[UInt8]] = []
    /// Each source once, in the order first met.
    public private(set) var sources: [String] = []

    public init() {}

    mutating func note(_ f: PaymentRecordView.Field, interns: PaymentInterns) {
        switch f {
        case .absent: return
        case .interned(let id):
            if internSeen.count <= id { internSeen += Array(repeating: false, count: id + 1 - internSeen.count) }
            guard !internSeen[id] else { return }
            internSeen[id] = true
            sources.append(interns[id])
        case .inline(let b):
            guard !inline.contains(where: { $0.elementsEqual(b) }) else { return }
            inline.append(Array(b))
            sources.append(String(decoding: b, as: UTF8.self))
        }
    }
}

/// Read-only access for indexes kept beside this one (the console's search by merchant ref):
/// raw passes over the payment table and probes by key hash, with no `PaymentState` and no
/// string until an answer is decoded. On the thread that owns this copy of the index, like the
/// rest of it.
extension LogIndex {
    /// Shards of the payment table (`scanPayments` takes a range of them).
    public static let paymentShardCount = PaymentTable.shardTotal

    /// The payment key's stable 64-bit hash (`PaymentTable.hash`): its top 16 bits are its shard,
    /// its low bits its home slot there.
    public static func paymentHash(source: String, paymentID: String) -> UInt64 {
        PaymentTable.hash(source: source.utf8, paymentID: paymentID.utf8)
    }

    /// Calls `body` with every payment of payment shards `shards`, read in place, and notes
    /// their sources in `sources`.
    public func scanPayments(shards: Range<Int>, sources: inout PaymentSourceScan, _ body: (PaymentRefView) -> Void) {
        guard !payments.shards.isEmpty else { return }
        let interns = payments.interns
        for i in shards.clamped(to: 0..<PaymentTable.shardTotal) {
            payments.shards[i].forEachRef(shard: i, interns: interns) { key, ref in
                sources.note(key.source, interns: interns)
                body(ref)
            }
        }
    }

    /// Calls `body` with each payment in payment shard `shard` whose home slot's low 16 bits
    /// are `homeLow16`, and perhaps a few others of the same probe chains: every payment whose
    /// key hash is `shard << 48 | … | homeLow16` comes (a payment may come twice when the
    /// shard has more than 65,536 slots).
    public func forEachPaymentInChains(shard: Int, homeLow16: Int, _ body: (PaymentRefView) -> Void) {
        guard !payments.shards.isEmpty, (0..<PaymentTable.shardTotal).contains(shard) else { return }
        payments.shards[shard].forEachInChains(homeLow16: homeLow16 & 0xFFFF, shard: shard, interns: payments.interns, body)
    }

    /// Where payment (`source`, `paymentID`) is, if the index holds it.
    public func place(source: String, paymentID: String) -> PaymentPlace? { payments.place(source: source, paymentID: paymentID) }

    /// The payment at `place` (given by this index since its last change).
    public func payment(at place: PaymentPlace) -> PaymentState {
        payments.shards[place.shard].state(slot: place.slot, interns: payments.interns)
    }
}

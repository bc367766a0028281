import PayhookCore
import PayhookLog

// One payment as bytes in its shard's arena (`PaymentShard`), instead of a `PaymentState` with
// nine strings and an array (about 550 heap bytes a payment; a record is about 80):
//   head u8: status code (`RecordCodec.statusCode`) in bits 0-2, bit 7 set once the record is
//     dead (replaced by a later copy at the arena's end); other bits zero.
//   body length varint, then the body:
//     source field, payment_id (varint length + bytes), last_seq varint,
//     provider field, kind field, merchant_ref field, provider_status field, amount field,
//     currency field, first_seen zigzag varint, last_seen - first_seen zigzag varint,
//     event count varint, then each event seq as a zigzag delta from the previous one (the
//     first from 0).
//   field: varint tag, 0 absent, 1 inline (varint length + UTF-8 bytes), 2 + k the k-th string
//     of the table's intern list (`PaymentInterns`; only source, provider, kind,
//     provider_status and currency are interned).
// Varints are LEB128 (at most 10 bytes for 64 bits). Source and payment_id come first so that a
// probe compares the key without decoding the rest; last_seq next so that expiry reads it cheaply.

/// Where a sink puts a record's bytes: counting first (the body's length goes before it), then
/// the arena or a buffer.
protocol PaymentRecordSink {
    mutating func put(_ b: UInt8)
    mutating func put(_ s: String)
}

struct PaymentRecordCounter: PaymentRecordSink {
    var bytes = 0
    mutating func put(_ b: UInt8) { bytes += 1 }
    mutating func put(_ s: String) { bytes += s.utf8.count }
}

extension Array: PaymentRecordSink where Element == UInt8 {
    mutating func put(_ b: UInt8) { append(b) }
    mutating func put(_ s: String) { append(contentsOf: s.utf8) }
}

enum PaymentRecord {
    static let deadFlag: UInt8 = 0x80
    static let statusMask: UInt8 = 0x07
    static let tagAbsent: UInt64 = 0
    static let tagInline: UInt64 = 1
    static let tagInternBase: UInt64 = 2

    /// The intern tags of one state's internable fields (resolved once, used by both passes).
    struct Tags {
        var source, provider, kind, providerStatus, currency: UInt64
    }

    static func tags(_ p: PaymentState, interns: inout PaymentInterns) -> Tags {
        Tags(
            source: interns.tag(p.source), provider: interns.tag(p.provider), kind: interns.tag(p.kind),
            providerStatus: interns.tag(p.providerStatus), currency: interns.tag(p.currency))
    }

    /// Appends the whole record (head, length, body) for `p` to `out`; returns its byte count.
    @discardableResult
    static func append(_ p: PaymentState, tags: Tags, to out: inout [UInt8]) -> Int {
        var counter = PaymentRecordCounter()
        writeBody(p, tags: tags, into: &counter)
        let total = 1 + varintBytes(UInt64(counter.bytes)) + counter.bytes
        let start = out.count
        if out.capacity - start < total {
            // Arenas grow by a quarter, not Swift's doubling: they are many and small, and slack is
            // most of what a shard would waste.
            out.reserveCapacity(start + max(total, start / 4, 64))
        }
        out.put(RecordCodec.statusCode(p.status))
        putVarint(UInt64(counter.bytes), into: &out)
        writeBody(p, tags: tags, into: &out)
        assert(out.count - start == total, "record sizing and writing disagree")
        return total
    }

    private static func writeBody<S: PaymentRecordSink>(_ p: PaymentState, tags t: Tags, into s: inout S) {
        putField(p.source, tag: t.source, into: &s)
        putVarint(UInt64(p.paymentID.utf8.count), into: &s)
        s.put(p.paymentID)
        putVarint(p.lastSeq, into: &s)
        putField(p.provider, tag: t.provider, into: &s)
        putField(p.kind, tag: t.kind, into: &s)
        putField(p.merchantRef, tag: p.merchantRef == nil ? tagAbsent : tagInline, into: &s)
        putField(p.providerStatus, tag: t.providerStatus, into: &s)
        putField(p.amount, tag: p.amount == nil ? tagAbsent : tagInline, into: &s)
        putField(p.currency, tag: t.currency, into: &s)
        putVarint(zigzag(p.firstSeenMs), into: &s)
        putVarint(zigzag(p.lastSeenMs &- p.firstSeenMs), into: &s)
        putVarint(UInt64(p.eventSeqs.count), into: &s)
        var previous: UInt64 = 0
        for seq in p.eventSeqs {
            putVarint(zigzag(Int64(bitPattern: seq &- previous)), into: &s)
            previous = seq
        }
    }

    private static func putField<S: PaymentRecordSink>(_ v: String?, tag: UInt64, into s: inout S) {
        putVarint(tag, into: &s)
        guard tag == tagInline, let v else { return }
        putVarint(UInt64(v.utf8.count), into: &s)
        s.put(v)
    }

    static func putVarint<S: PaymentRecordSink>(_ v: UInt64, into s: inout S) {
        var v = v
        while v >= 0x80 {
            s.put(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        s.put(UInt8(v))
    }

    static func varintBytes(_ v: UInt64) -> Int { v == 0 ? 1 : (64 - v.leadingZeroBitCount + 6) / 7 }

    static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
    static func unzigzag(_ v: UInt64) -> Int64 { Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1) }
}

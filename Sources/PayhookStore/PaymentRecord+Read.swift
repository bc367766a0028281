import PayhookCore
import PayhookLog

/// A bounds-checked cursor over an arena (or a snapshot's copy of one): every read past `end`
/// throws, so bad bytes from a snapshot never trap.
struct PaymentRecordReader {
    let base: UnsafeBufferPointer<UInt8>
    var at: Int
    var end: Int

    init(_ base: UnsafeBufferPointer<UInt8>, at: Int, end: Int? = nil) {
        self.base = base
        self.at = at
        self.end = end ?? base.count
    }

    func fail(_ what: String) -> DecodeError { DecodeError(offset: at, what: "payment record: \(what)") }

    mutating func byte(_ what: String) throws(DecodeError) -> UInt8 {
        guard at < end else { throw fail("\(what) runs past the end") }
        defer { at += 1 }
        return base[at]
    }

    /// Most fields (tags, lengths, small deltas) fit one byte: that case is inlined, the
    /// rest is `varintLong` (reading a snapshot's 3M records spent 13% of its time here).
    @inline(__always)
    mutating func varint(_ what: String) throws(DecodeError) -> UInt64 {
        if at < end, base[at] < 0x80 {
            at += 1
            return UInt64(base[at - 1])
        }
        return try varintLong(what)
    }

    private mutating func varintLong(_ what: String) throws(DecodeError) -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte(what)
            // The tenth byte carries bit 63 only; anything more is an overlong or overflowing varint.
            guard shift < 63 || b <= 1 else { throw fail("\(what) overflows 64 bits") }
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }

    /// A varint length and that many bytes.
    mutating func span(_ what: String) throws(DecodeError) -> UnsafeBufferPointer<UInt8> {
        let n = try varint(what)
        guard n <= UInt64(end - at) else { throw fail("\(what) of \(n) bytes runs past the end") }
        defer { at += Int(n) }
        return UnsafeBufferPointer(rebasing: base[at..<at + Int(n)])
    }

    mutating func field(_ what: String, interns: PaymentInterns) throws(DecodeError) -> PaymentRecordView.Field {
        let tag = try varint(what)
        switch tag {
        case PaymentRecord.tagAbsent: return .absent
        case PaymentRecord.tagInline: return .inline(try span(what))
        default:
            let id = tag - PaymentRecord.tagInternBase
            guard id < UInt64(interns.count) else { throw fail("\(what) names intern \(id) of \(interns.count)") }
            return .interned(Int(id))
        }
    }
}

/// One record parsed in place: spans into the arena, nothing allocated (a probe, expiry and a
/// snapshot's validation read this; only a lookup's answer makes a `PaymentState` of it).
struct PaymentRecordView {
    enum Field {
        case absent
        case inline(UnsafeBufferPointer<UInt8>)
        case interned(Int)
    }

    var dead: Bool
    var status: PaymentStatus
    /// Offset just past the record.
    var end: Int
    var source: Field
    var paymentID: UnsafeBufferPointer<UInt8>

    /// Reads the head and the key; `r` is left at last_seq.
    static func key(_ r: inout PaymentRecordReader, interns: PaymentInterns) throws(DecodeError) -> PaymentRecordView {
        let head = try r.byte("head")
        guard head & ~(PaymentRecord.deadFlag | PaymentRecord.statusMask) == 0, let status = RecordCodec.status(code: head & PaymentRecord.statusMask)
        else { throw r.fail("head \(head)") }
        let bodyBytes = try r.varint("body length")
        guard bodyBytes <= UInt64(r.end - r.at) else { throw r.fail("body of \(bodyBytes) bytes runs past the end") }
        r.end = r.at + Int(bodyBytes)
        let source = try r.field("source", interns: interns)
        let paymentID = try r.span("payment_id")
        return PaymentRecordView(dead: head & PaymentRecord.deadFlag != 0, status: status, end: r.end, source: source, paymentID: paymentID)
    }

    /// Whether this record's key is (`source`, `paymentID`), byte for byte.
    func matches(source: UnsafeBufferPointer<UInt8>, paymentID: UnsafeBufferPointer<UInt8>, utf8: InternedUTF8) -> Bool {
        guard Self.same(self.paymentID, paymentID) else { return false }
        return Self.equal(self.source, source, utf8: utf8)
    }

    /// Whether two records have one key (interned entries are distinct strings, so two ids
    /// compare as ids).
    func sameKey(as o: PaymentRecordView, interns: PaymentInterns) -> Bool {
        guard paymentID.count == o.paymentID.count, paymentID.elementsEqual(o.paymentID) else { return false }
        switch (source, o.source) {
        case (.interned(let x), .interned(let y)): return x == y
        case (.inline(let b), _): return Self.equal(o.source, b, interns: interns)
        case (_, .inline(let b)): return Self.equal(source, b, interns: interns)
        default: return false
        }
    }

    static func equal(_ f: Field, _ bytes: UnsafeBufferPointer<UInt8>, interns: PaymentInterns) -> Bool {
        if case .interned = f { return interns.withUTF8 { equal(f, bytes, utf8: $0) } }
        return equal(f, bytes, utf8: nil)
    }

    /// `equal` with the intern list's bytes at hand (`utf8` is only read for an interned field).
    static func equal(_ f: Field, _ bytes: UnsafeBufferPointer<UInt8>, utf8: InternedUTF8?) -> Bool {
        switch f {
        case .absent: false
        case .inline(let b): same(b, bytes)
        case .interned(let id): same(utf8![id], bytes)
        }
    }

    /// Byte equality by index over two spans: `elementsEqual` steps two iterators and was a
    /// tenth of a status lookup (every probe compares the payment id, then the source).
    @inline(__always)
    static func same(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<a.count where a[i] != b[i] { return false }
        return true
    }

    /// The stable 64-bit hash of the key (`PaymentTable.hash`), from the record's bytes.
    func keyHash(interns: PaymentInterns) -> UInt64 {
        switch source {
        case .inline(let b): PaymentTable.hash(source: b, paymentID: paymentID)
        case .interned(let id): PaymentTable.hash(sourcePrefix: interns.hashPrefix(id), paymentID: paymentID)
        case .absent: PaymentTable.hash(source: EmptyCollection(), paymentID: paymentID)
        }
    }
}

extension PaymentRecord {
    /// The newest event seq of the record at `start` (expiry).
    static func lastSeq(_ base: UnsafeBufferPointer<UInt8>, at start: Int, interns: PaymentInterns) throws(DecodeError) -> UInt64 {
        var r = PaymentRecordReader(base, at: start)
        _ = try PaymentRecordView.key(&r, interns: interns)
        return try r.varint("last_seq")
    }

    /// The state of the record at `start`. `source`/`paymentID`, when given, are the key's
    /// strings (byte-equal to the record's, checked by the probe): reused, not decoded again.
    /// `validate` checks UTF-8 and that the body ends where its length says (snapshot bytes);
    /// an arena this process wrote is trusted.
    static func decode(
        _ base: UnsafeBufferPointer<UInt8>, at start: Int, interns: PaymentInterns, source: String? = nil, paymentID: String? = nil,
        validate: Bool = false, spareSeqs: Int = 0
    ) throws(DecodeError) -> (state: PaymentState, end: Int) {
        var r = PaymentRecordReader(base, at: start)
        let view = try PaymentRecordView.key(&r, interns: interns)
        func string(_ f: PaymentRecordView.Field, _ what: String) throws(DecodeError) -> String? {
            switch f {
            case .absent: return nil
            case .interned(let id): return interns[id]
            case .inline(let b):
                guard !validate || UTF8Check.isValid(b) else { throw r.fail("\(what) is not UTF-8") }
                return String(decoding: b, as: UTF8.self)
            }
        }
        func required(_ f: PaymentRecordView.Field, _ what: String) throws(DecodeError) -> String {
            guard let s = try string(f, what) else { throw r.fail("\(what) is absent") }
            return s
        }
        var sourceString = source ?? ""
        if source == nil { sourceString = try required(view.source, "source") }
        var paymentIDString = paymentID ?? ""
        if paymentID == nil { paymentIDString = try required(.inline(view.paymentID), "payment_id") }
        let lastSeq = try r.varint("last_seq")
        var p = PaymentState(
            source: sourceString, paymentID: paymentIDString, provider: try required(r.field("provider", interns: interns), "provider"),
            kind: try required(r.field("kind", interns: interns), "kind"), status: view.status)
        p.merchantRef = try string(r.field("merchant_ref", interns: interns), "merchant_ref")
        p.providerStatus = try string(r.field("provider_status", interns: interns), "provider_status")
        p.amount = try string(r.field("amount", interns: interns), "amount")
        p.currency = try string(r.field("currency", interns: interns), "currency")
        p.firstSeenMs = unzigzag(try r.varint("first_seen"))
        p.lastSeenMs = p.firstSeenMs &+ unzigzag(try r.varint("last_seen"))
        p.lastSeq = lastSeq
        let n = try r.varint("event count")
        guard n <= UInt64(r.end - r.at) else { throw r.fail("event count \(n) is impossible") }
        p.eventSeqs.reserveCapacity(Int(n) + spareSeqs)
        var seq: UInt64 = 0
        for _ in 0..<n {
            seq = seq &+ UInt64(bitPattern: unzigzag(try r.varint("event seq")))
            p.eventSeqs.append(seq)
        }
        guard r.at == view.end else { throw r.fail("\(view.end - r.at) bytes after the record's fields") }
        return (p, view.end)
    }
}

/// UTF-8 well-formedness (RFC 3629 section 4: no overlongs, no surrogates, nothing past
/// U+10FFFF), without making a `String` (which would repair instead of refusing).
enum UTF8Check {
    static func isValid(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < b.count {
            let c = b[i]
            if c < 0x80 {
                i += 1
                continue
            }
            let n: Int
            var lo: UInt8 = 0x80
            var hi: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: n = 1
            case 0xE0: (n, lo) = (2, 0xA0)
            case 0xE1...0xEC, 0xEE...0xEF: n = 2
            case 0xED: (n, hi) = (2, 0x9F)
            case 0xF0: (n, lo) = (3, 0x90)
            case 0xF1...0xF3: n = 3
            case 0xF4: (n, hi) = (3, 0x8F)
            default: return false
            }
            guard b.count - i > n else { return false }
            guard (lo...hi).contains(b[i + 1]) else { return false }
            for k in 2..<(n + 1) where !(0x80...0xBF).contains(b[i + k]) { return false }
            i += n + 1
        }
        return true
    }
}

extension PaymentRecord {
    /// Checks the live record at `start` as a snapshot stored it, without allocating: every
    /// field in bounds, inline strings UTF-8, intern ids known, required fields present, the body
    /// exactly as long as it says. Returns the offset past it.
    static func validate(_ base: UnsafeBufferPointer<UInt8>, at start: Int, interns: PaymentInterns) throws(DecodeError) -> Int {
        var r = PaymentRecordReader(base, at: start)
        let view = try PaymentRecordView.key(&r, interns: interns)
        guard !view.dead else { throw r.fail("dead record in a snapshot") }
        guard UTF8Check.isValid(view.paymentID) else { throw r.fail("payment_id is not UTF-8") }
        func check(_ f: PaymentRecordView.Field, required: Bool, _ what: String) throws(DecodeError) {
            switch f {
            case .absent: guard !required else { throw r.fail("\(what) is absent") }
            case .interned: break
            case .inline(let b): guard UTF8Check.isValid(b) else { throw r.fail("\(what) is not UTF-8") }
            }
        }
        try check(view.source, required: true, "source")
        _ = try r.varint("last_seq")
        try check(r.field("provider", interns: interns), required: true, "provider")
        try check(r.field("kind", interns: interns), required: true, "kind")
        for what in ["merchant_ref", "provider_status", "amount", "currency"] { try check(r.field(what, interns: interns), required: false, what) }
        _ = try r.varint("first_seen")
        _ = try r.varint("last_seen")
        let n = try r.varint("event count")
        guard n <= UInt64(r.end - r.at) else { throw r.fail("event count \(n) is impossible") }
        for _ in 0..<n { _ = try r.varint("event seq") }
        guard r.at == view.end else { throw r.fail("\(view.end - r.at) bytes after the record's fields") }
        return view.end
    }
}

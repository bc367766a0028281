import PayhookCore
import PayhookStore

extension PaymentJSON {
    /// The payment answer from the record's bytes (`LogIndex.withPaymentRecord`): the same bytes as
    /// `render(_:unsigned:)` of the `PaymentState` that `lookup` would decode (AdminPaymentJSONTests
    /// compares them), written through a pointer into a buffer sized once. The state path made a
    /// `String` per field, an array of every event seq, and called `Array.append` about thirty
    /// times per answer: together about half of a status query's user time.
    ///
    /// The key is given as its UTF-8 bytes (a status query's, from its path), and the answer
    /// is appended to `out`: a buffer the caller keeps from answer to answer has room already,
    /// where a new array per answer cost an allocation and a generic metadata lookup (a
    /// twentieth of a status query).
    static func render(
        _ p: PaymentFieldsView, source: UnsafeRawBufferPointer, paymentID: UnsafeRawBufferPointer, unsigned: [String], into out: inout [UInt8]
    ) {
        let bound = bound(p, source: source, paymentID: paymentID, unsigned: unsigned)
        withUnsafeTemporaryAllocation(byteCount: bound, alignment: 1) { buffer in
            let count = write(p, source: source, paymentID: paymentID, unsigned: unsigned, into: buffer)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// Bytes enough for the answer.
    private static func bound(_ p: PaymentFieldsView, source: UnsafeRawBufferPointer, paymentID: UnsafeRawBufferPointer, unsigned: [String]) -> Int {
        // Keys and punctuation (213 bytes), two timestamps, two decimals, the texts escaped at
        // worst (6 bytes a byte, `JSONWriter`), with room to spare.
        var bound = 320 + 2 * 40 + 2 * 20
        func add(_ n: Int) { bound += 6 * n + 2 }
        func add(_ t: PaymentFieldsView.Text?) { if let t { add(t.count) } }
        add(source.count)
        add(paymentID.count)
        // One call each: a loop over an array literal would allocate the array.
        add(p.provider)
        add(p.kind)
        add(p.merchantRef)
        add(p.providerStatus)
        add(p.amount)
        add(p.currency)
        for f in unsigned { add(f.utf8.count) }
        return bound
    }

    /// Writes the answer into `buffer` (`bound` bytes at least); returns its length.
    private static func write(
        _ p: PaymentFieldsView, source: UnsafeRawBufferPointer, paymentID: UnsafeRawBufferPointer, unsigned: [String],
        into buffer: UnsafeMutableRawBufferPointer
    ) -> Int {
        var w = FieldWriter(buffer)
        w.raw(#"{"source":"#)
        w.quoted(source.assumingMemoryBound(to: UInt8.self))
        w.raw(#","provider":"#)
        w.text(p.provider)
        w.raw(#","kind":"#)
        w.text(p.kind)
        w.raw(#","payment_id":"#)
        w.quoted(paymentID.assumingMemoryBound(to: UInt8.self))
        w.raw(#","merchant_ref":"#)
        w.textOrNull(p.merchantRef)
        w.raw(#","status":"#)
        w.string(p.status.rawValue)
        w.raw(#","provider_status":"#)
        w.textOrNull(p.providerStatus)
        w.raw(#","amount":"#)
        w.textOrNull(p.amount)
        w.raw(#","currency":"#)
        w.textOrNull(p.currency)
        w.raw(#","unsigned":["#)
        for (i, field) in unsigned.enumerated() {
            if i > 0 { w.raw(",") }
            w.string(field)
        }
        w.raw(#"],"first_seen":""#)
        w.timestamp(p.firstSeenMs)
        w.raw(#"","last_seen":""#)
        w.timestamp(p.lastSeenMs)
        w.raw(#"","last_seq":"#)
        w.decimal(p.lastSeq)
        w.raw(#","events":"#)
        w.decimal(UInt64(p.events))
        w.raw("}")
        precondition(w.at <= buffer.count, "payment answer over its bound")
        return w.at
    }
}

/// Writes into a buffer the caller sized (`render` bounds every field), by pointer: no
/// capacity check or uniqueness check per piece as `Array.append` makes.
private struct FieldWriter {
    let out: UnsafeMutableRawBufferPointer
    var at = 0

    init(_ out: UnsafeMutableRawBufferPointer) { self.out = out }

    mutating func bytes(_ b: UnsafeRawBufferPointer) {
        guard b.count > 0 else { return }
        UnsafeMutableRawBufferPointer(rebasing: out[at..<at + b.count]).copyMemory(from: b)
        at += b.count
    }

    mutating func raw(_ s: StaticString) { bytes(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)) }

    mutating func byte(_ b: UInt8) {
        out[at] = b
        at += 1
    }

    /// A JSON string: copied whole when no byte needs an escape, else as `JSONWriter` writes it.
    mutating func quoted(_ b: UnsafeBufferPointer<UInt8>) {
        if let base = b.baseAddress, at + b.count + 10 <= out.count, copiedPlain(UnsafeRawPointer(base), count: b.count) { return }
        // Some byte needs an escape (`needsEscape` is exact), or the field is empty.
        var w = JSONWriter(reservingCapacity: b.count * 6 + 2)
        w.string(String(decoding: b, as: UTF8.self))
        w.bytes.withUnsafeBytes { bytes($0) }
    }

    /// Checks and copies the `count` bytes at `p` quoted, eight a step in one pass (SWAR: a byte
    /// a step with four compares was a twentieth of a status query); the last bytes as one word
    /// too, overlapping the copied ones when the field is longer than a word, else padded with
    /// "a" and stored whole (the closing quote overwrites the padding, and the buffer's bound
    /// leaves room for it). False, with `at` unmoved, at the first word that needs an escape.
    @inline(__always)
    private mutating func copiedPlain(_ p: UnsafeRawPointer, count: Int) -> Bool {
        let to = at + 1
        var i = 0
        while i + 8 <= count {
            let word = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            guard !Self.needsEscape(word) else { return false }
            out.storeBytes(of: word, toByteOffset: to + i, as: UInt64.self)
            i += 8
        }
        if i < count {
            if count >= 8 {
                let word = p.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                guard !Self.needsEscape(word) else { return false }
                out.storeBytes(of: word, toByteOffset: to + count - 8, as: UInt64.self)
            } else {
                let word = Self.shortWord(p, count: count)
                guard !Self.needsEscape(word) else { return false }
                out.storeBytes(of: word.littleEndian, toByteOffset: to, as: UInt64.self)
            }
        }
        out[at] = UInt8(ascii: "\"")
        at = to + count
        out[at] = UInt8(ascii: "\"")
        at += 1
        return true
    }

    /// The `count` (1 to 7) bytes at `p` as a number, the first in the low byte, with "a" in
    /// the bytes above them: two loads that may overlap (an overlapping byte is the same in
    /// both), not a copy into a padded word (a call to `memcpy` per field).
    @inline(__always)
    static func shortWord(_ p: UnsafeRawPointer, count n: Int) -> UInt64 {
        let pad: UInt64 = 0x6161_6161_6161_6161 << UInt64(n &* 8)
        if n >= 4 {
            let lo = UInt64(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
            let hi = UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)))
            return lo | hi << UInt64((n &- 4) &* 8) | pad
        }
        let first = UInt64(p.load(as: UInt8.self))
        let middle = UInt64(p.load(fromByteOffset: n / 2, as: UInt8.self))
        let last = UInt64(p.load(fromByteOffset: n &- 1, as: UInt8.self))
        return first | middle << UInt64(n / 2 &* 8) | last << UInt64((n &- 1) &* 8) | pad
    }

    /// Whether some byte of `w` is below 0x20 or is 0x7F, `"` or `\` ("Bit Twiddling Hacks":
    /// determine if a word has a byte less than n / equal to n; exact as a whole-word answer,
    /// which AdminPaymentJSONTests checks with every byte value at every position).
    @inline(__always)
    static func needsEscape(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func zeroByte(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        let below20 = (w &- ones &* 0x20) & ~w & highs
        return below20 | zeroByte(w ^ (ones &* 0x7F)) | zeroByte(w ^ (ones &* 0x22)) | zeroByte(w ^ (ones &* 0x5C)) != 0
    }

    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { quoted($0) }
    }

    mutating func text(_ t: PaymentFieldsView.Text) { quoted(t) }

    mutating func textOrNull(_ t: PaymentFieldsView.Text?) {
        if let t { text(t) } else { raw("null") }
    }

    mutating func timestamp(_ unixMs: Int64) {
        if Timestamp.writeISO8601(unixMs: unixMs, into: UnsafeMutableRawBufferPointer(rebasing: out[at...])) {
            at += 24
        } else {
            var s = Timestamp.iso8601(unixMs: unixMs)
            s.withUTF8 { bytes(UnsafeRawBufferPointer($0)) }
        }
    }

    mutating func decimal(_ value: UInt64) { ASCIIDecimal.forEachDigit(value) { byte($0) } }
}

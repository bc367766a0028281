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
        // Checked and copied a word at a time in one pass, the last bytes as one word padded
        // with "a" (stored whole: the closing quote overwrites the padding, and the buffer's
        // bound leaves room for it). A word that may need an escape sends the field to the
        // exact way below, which writes it again from the same place.
        if let base = b.baseAddress, at + b.count + 10 <= out.count {
            let raw = UnsafeRawPointer(base)
            let to = at + 1
            var i = 0
            var clean = true
            while i + 8 <= b.count {
                let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                if Self.mayNeedEscape(word) {
                    clean = false
                    break
                }
                out.storeBytes(of: word, toByteOffset: to + i, as: UInt64.self)
                i += 8
            }
            if clean && i < b.count {
                if b.count >= 8 {
                    // The last eight bytes, overlapping what is copied already (written again alike).
                    let word = raw.loadUnaligned(fromByteOffset: b.count - 8, as: UInt64.self)
                    if Self.mayNeedEscape(word) { clean = false } else { out.storeBytes(of: word, toByteOffset: to + b.count - 8, as: UInt64.self) }
                } else {
                    let word = Self.shortWord(raw, count: b.count)
                    if Self.mayNeedEscape(word) { clean = false } else { out.storeBytes(of: word.littleEndian, toByteOffset: to, as: UInt64.self) }
                }
            }
            if clean {
                out[at] = UInt8(ascii: "\"")
                at = to + b.count
                out[at] = UInt8(ascii: "\"")
                at += 1
                return
            }
        }
        guard Self.plain(b) else {
            var w = JSONWriter(reservingCapacity: b.count * 6 + 2)
            w.string(String(decoding: b, as: UTF8.self))
            return w.bytes.withUnsafeBytes { bytes($0) }
        }
        byte(UInt8(ascii: "\""))
        bytes(UnsafeRawBufferPointer(b))
        byte(UInt8(ascii: "\""))
    }

    /// No byte needs an escape. Eight bytes a step (SWAR): a word with a byte below 0x20, DEL,
    /// a quote or a backslash is checked byte by byte; a byte a step with four compares was a
    /// twentieth of a status query. A word flagged by mistake only costs the exact check.
    static func plain(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        if let base = b.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= b.count {
                if mayNeedEscape(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { break }
                i += 8
            }
            // The last bytes (most fields are shorter than a word) as one word too, padded
            // with "a": four compares a byte were a twentieth of a status query.
            if i < b.count && b.count - i < 8 {
                var tail: UInt64 = 0x6161_6161_6161_6161
                withUnsafeMutableBytes(of: &tail) { $0.baseAddress!.copyMemory(from: raw + i, byteCount: b.count - i) }
                if !mayNeedEscape(tail) { return true }
            }
        }
        while i < b.count {
            let c = b[i]
            if c < 0x20 || c == 0x7F || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") { return false }
            i += 1
        }
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

    /// Whether some byte of `w` is below 0x20 or is 0x7F, `"` or `\` (never false for such a
    /// word; see "Bit Twiddling Hacks", determine if a word has a byte less than n / equal to n).
    @inline(__always)
    static func mayNeedEscape(_ w: UInt64) -> Bool {
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

/// The event id `source:payment_id:event`, made unambiguous and printable: inside each
/// component `%` is written `%25`, `:` is written `%3A`, and every byte outside visible ASCII
/// (0x21...0x7E: controls, space, DEL and UTF-8 beyond ASCII) is written `%XX` (uppercase hex);
/// every other byte stands as is. So the two unescaped `:` are always the separators, distinct
/// (source, payment id, event) triples never share an id, and an id can go as it is into an HTTP
/// header (`Payhook-Event-Id`, `webhook-id`) or a NATS message id. Components are compared as
/// bytes, never as Swift `String`s (whose `==` treats NFC and NFD spellings as equal).
public enum EventID {
    /// `source:payment_id:event` with each component escaped.
    public static func make(source: String, paymentID: String, event: String) -> String {
        escape(source) + ":" + escape(paymentID) + ":" + escape(event)
    }

    /// `%` -> `%25`, `:` -> `%3A`, bytes outside 0x21...0x7E -> `%XX`; every other byte as is.
    public static func escape(_ component: String) -> String {
        guard component.utf8.contains(where: needsEscape) else { return component }
        var out: [UInt8] = []
        out.reserveCapacity(component.utf8.count + 8)
        for b in component.utf8 {
            if needsEscape(b) {
                out += [percent, hexDigits[Int(b >> 4)], hexDigits[Int(b & 15)]]
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The components of an id made by `make`; nil for anything `make` never produces (a third
    /// separator, a lone `%`, lowercase hex, or an escape of a byte that stands as is).
    public static func components(_ id: String) -> (source: String, paymentID: String, event: String)? {
        let parts = Array(id.utf8).split(separator: colon, omittingEmptySubsequences: false)
        guard parts.count == 3, let s = unescape(parts[0]), let p = unescape(parts[1]), let e = unescape(parts[2]) else { return nil }
        return (s, p, e)
    }

    private static func unescape(_ bytes: ArraySlice<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            guard bytes[i] == percent else {
                guard !needsEscape(bytes[i]) else { return nil }
                out.append(bytes[i])
                i += 1
                continue
            }
            guard i + 2 < bytes.endIndex, let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2]) else { return nil }
            let b = high << 4 | low
            guard needsEscape(b) else { return nil }
            out.append(b)
            i += 3
        }
        guard let text = String(validating: out, as: UTF8.self) else { return nil }
        return text
    }

    static func needsEscape(_ b: UInt8) -> Bool { b == colon || b == percent || b < 0x21 || b > 0x7E }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Ids of the previous version were `source:payment_id:event` unescaped, so one with more
    /// than two `:` could stand for several triples. The ids, in today's form, of every triple
    /// that `legacy` may have meant (source names never contain `:`); `[legacy]` when it has no
    /// `:` after the source. Used to carry an old snapshot's dedup entries over.
    public static func fromLegacy(_ legacy: String) -> [String] {
        let bytes = Array(legacy.utf8)
        guard let first = bytes.firstIndex(of: colon) else { return [legacy] }
        let source = String(decoding: bytes[..<first], as: UTF8.self)
        let rest = bytes[(first + 1)...]
        let cuts = rest.indices.filter { rest[$0] == colon }
        guard !cuts.isEmpty else { return [legacy] }
        return cuts.map { cut in
            make(
                source: source, paymentID: String(decoding: rest[..<cut], as: UTF8.self),
                event: String(decoding: rest[(cut + 1)...], as: UTF8.self))
        }
    }

    static let colon = UInt8(ascii: ":")
    static let percent = UInt8(ascii: "%")
}

/// A string compared and hashed by its UTF-8 bytes. Swift's `String` `==` and hashing follow
/// Unicode canonical equivalence ("é" precomposed equals "e" + combining acute); identities
/// from providers are opaque bytes, and two spellings are two identities.
public struct ByteString: Hashable, Sendable, CustomStringConvertible {
    public let string: String

    public init(_ string: String) { self.string = string }

    public static func == (a: ByteString, b: ByteString) -> Bool { a.string.utf8.elementsEqual(b.string.utf8) }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(string.utf8.count)
        let contiguous: Void? = string.utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if contiguous == nil { for b in string.utf8 { hasher.combine(b) } }
    }

    public var description: String { string }
}

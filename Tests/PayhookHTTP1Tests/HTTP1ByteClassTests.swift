import PayhookHTTP1
import Testing

/// The word-at-a-time and table fast paths (line scan, field names, request-targets) accept
/// exactly the bytes the grammar allows, whatever the byte's position within a word.
@Suite struct HTTP1ByteClassTests {
    static let tchars = Set(Array("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8))
    /// pchar without "%" (RFC 3986 §3.3) plus "/": what a target may hold with no escape.
    static let plainTarget = Set(Array("-._~!$&'()*+,;=:@/0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8))

    /// Whether `raw` parses to a head.
    static func parsesHead(_ raw: [UInt8]) -> Bool {
        var parser = HTTP1RequestParser()
        return raw.withUnsafeBytes { parser.parse($0).event == .head }
    }

    @Test("a field name is accepted iff every byte is a tchar, at every position of a 17-byte name")
    func fieldNameBytes() {
        var wrong: [String] = []
        for filler in [UInt8(ascii: "a"), UInt8(ascii: "-"), UInt8(ascii: "Z")] {
            for position in 0..<17 {
                // A colon ends the name early: the rest is a valid value.
                for b in 0...255 where b != 0x3A {
                    var name = [UInt8](repeating: filler, count: 17)
                    name[position] = UInt8(b)
                    let raw = bytes("GET / HTTP/1.1\r\nHost: x\r\n") + name + bytes(": v\r\n\r\n")
                    if Self.parsesHead(raw) != Self.tchars.contains(UInt8(b)) { wrong.append("\(b)@\(position)") }
                }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(8))")
    }

    @Test("a field value is accepted iff it holds no control byte but HTAB, at every position")
    func fieldValueBytes() {
        var wrong: [String] = []
        for position in 0..<40 {
            for b in 0...255 {
                var value = [UInt8](repeating: UInt8(ascii: "v"), count: 41)
                value[position] = UInt8(b)
                let raw = bytes("GET / HTTP/1.1\r\nHost: x\r\nX-A: ") + value + bytes("\r\n\r\n")
                let allowed = b == 0x09 || (b >= 0x20 && b != 0x7F)
                if Self.parsesHead(raw) != allowed { wrong.append("\(b)@\(position)") }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(8))")
    }

    @Test("a Host is accepted iff every byte is a reg-name byte other than a comma")
    func hostBytes() {
        let regName = Set(Array("-._~!$&'()*+;=%0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8))
        var wrong: [String] = []
        for position in 0..<12 {
            // A colon starts the port; whitespace at either end is OWS.
            for b in 0...255 where b != 0x3A && !((position == 0 || position == 11) && (b == 0x20 || b == 0x09)) {
                var host = [UInt8](repeating: UInt8(ascii: "h"), count: 12)
                host[position] = UInt8(b)
                let raw = bytes("GET / HTTP/1.1\r\nHost: ") + host + bytes("\r\n\r\n")
                if Self.parsesHead(raw) != regName.contains(UInt8(b)) { wrong.append("\(b)@\(position)") }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(8))")
    }

    @Test("a Host port is accepted iff every byte is a digit, at every position of a 10-digit port")
    func portBytes() {
        var wrong: [String] = []
        for position in 0..<10 {
            // Whitespace at the end is OWS.
            for b in 0...255 where !(position == 9 && (b == 0x20 || b == 0x09)) {
                var port = [UInt8](repeating: UInt8(ascii: "7"), count: 10)
                port[position] = UInt8(b)
                let raw = bytes("GET / HTTP/1.1\r\nHost: h:") + port + bytes("\r\n\r\n")
                let digit = b >= 0x30 && b <= 0x39
                if Self.parsesHead(raw) != digit { wrong.append("\(b)@\(position)") }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(8))")
    }

    @Test("a target without escape or query is accepted iff every byte is a pchar or /")
    func targetBytes() {
        var wrong: [String] = []
        for position in 1..<12 {
            for b in 0...255 where b != 0x25 && b != 0x3F && b != 0x20 {
                var target = [UInt8](repeating: UInt8(ascii: "p"), count: 12)
                target[0] = UInt8(ascii: "/")
                target[position] = UInt8(b)
                let raw = bytes("GET ") + target + bytes(" HTTP/1.1\r\nHost: x\r\n\r\n")
                if Self.parsesHead(raw) != Self.plainTarget.contains(UInt8(b)) { wrong.append("\(b)@\(position)") }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(8))")
    }
}

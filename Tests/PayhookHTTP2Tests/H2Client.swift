import CNGHTTP2

/// A minimal HTTP/2 client for unit tests: frames written by hand (HPACK literals without
/// indexing or Huffman), answers read with libnghttp2's HPACK inflater.
enum H2Client {
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + frame(type: 4, flags: 0, stream: 0, [])

    static func frame(type: UInt8, flags: UInt8, stream: Int32, _ payload: [UInt8]) -> [UInt8] {
        let n = payload.count
        let s = UInt32(stream)
        return [UInt8(n >> 16), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF), type, flags]
            + [UInt8(s >> 24), UInt8(s >> 16 & 0xFF), UInt8(s >> 8 & 0xFF), UInt8(s & 0xFF)] + payload
    }

    /// HEADERS with END_HEADERS, and END_STREAM unless a body follows.
    static func headers(stream: Int32, method: String, path: String, bodyBytes: Int? = nil) -> [UInt8] {
        var block: [UInt8] = []
        let length = bodyBytes.map(String.init) ?? "0"
        let fields = [
            (":method", method), (":scheme", "http"), (":path", path), (":authority", "a.test"), ("user-agent", "t"), ("content-length", length),
        ]
        for (name, value) in fields {
            block += [0x00, UInt8(name.utf8.count)] + Array(name.utf8) + [UInt8(value.utf8.count)] + Array(value.utf8)
        }
        return frame(type: 1, flags: bodyBytes == nil ? 0x5 : 0x4, stream: stream, block)
    }

    /// DATA with END_STREAM.
    static func data(stream: Int32, _ body: [UInt8]) -> [UInt8] { frame(type: 0, flags: 0x1, stream: stream, body) }

    static func request(stream: Int32, method: String, path: String) -> [UInt8] {
        preface + headers(stream: stream, method: method, path: path)
    }

    struct Answer {
        var fields: [String] = []
        var bodyBytes: [UInt8] = []
        var dataFrames = 0
        var ended = false
        var body: String { String(decoding: bodyBytes, as: UTF8.self) }
    }

    struct DecodeError: Error {}

    /// The answer on `stream` in the server's bytes (its HEADERS and DATA frames).
    static func decode(_ bytes: [UInt8], stream: Int32) throws -> Answer {
        var inflater: OpaquePointer?
        guard nghttp2_hd_inflate_new(&inflater) == 0 else { throw DecodeError() }
        defer { nghttp2_hd_inflate_del(inflater) }
        var answer = Answer()
        var at = 0
        while at + 9 <= bytes.count {
            let n = Int(bytes[at]) << 16 | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2])
            let type = bytes[at + 3]
            let flags = bytes[at + 4]
            let id = Int32(bytes[at + 5] & 0x7F) << 24 | Int32(bytes[at + 6]) << 16 | Int32(bytes[at + 7]) << 8 | Int32(bytes[at + 8])
            let payload = Array(bytes[(at + 9)..<(at + 9 + n)])
            at += 9 + n
            // Every HEADERS block goes through the inflater: its dynamic table spans streams.
            if type == 1 {
                let fields = try inflate(inflater, payload)
                if id == stream { answer.fields += fields }
            }
            guard id == stream else { continue }
            if type == 0 {
                answer.bodyBytes += payload
                answer.dataFrames += 1
            }
            if (type == 0 || type == 1) && flags & 0x1 != 0 { answer.ended = true }
        }
        return answer
    }

    private static func inflate(_ inflater: OpaquePointer?, _ block: [UInt8]) throws -> [String] {
        var fields: [String] = []
        var offset = 0
        while true {
            var nv = nghttp2_nv()
            var flags: Int32 = 0
            let n = block.withUnsafeBufferPointer { b in
                nghttp2_hd_inflate_hd2(inflater, &nv, &flags, b.baseAddress! + offset, b.count - offset, 1)
            }
            guard n >= 0 else { throw DecodeError() }
            offset += n
            if flags & Int32(NGHTTP2_HD_INFLATE_EMIT.rawValue) != 0 {
                let name = String(decoding: UnsafeBufferPointer(start: nv.name, count: nv.namelen), as: UTF8.self)
                let value = String(decoding: UnsafeBufferPointer(start: nv.value, count: nv.valuelen), as: UTF8.self)
                fields.append("\(name)=\(value)")
            }
            if flags & Int32(NGHTTP2_HD_INFLATE_FINAL.rawValue) != 0 { break }
            if n == 0 && flags & Int32(NGHTTP2_HD_INFLATE_EMIT.rawValue) == 0 { throw DecodeError() }
        }
        nghttp2_hd_inflate_end_headers(inflater)
        return fields
    }
}

import Glibc
import Testing

/// The chunked-body limits of `[server]` reach the parser of the real binary, at N and N+1.
@Suite(.serialized) struct ParserLimitKeysTests {
    func chunked(extension n: Int) -> String {
        "POST /hooks/probe HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "2;\(String(repeating: "e", count: n - 1))\r\n{}\r\n0\r\n\r\n"
    }

    func chunked(trailer n: Int) -> String {
        "POST /hooks/probe HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "2\r\n{}\r\n0\r\nX: \(String(repeating: "t", count: n - 5))\r\n\r\n"
    }

    @Test("max_chunk_extension_bytes = 16: 16 bytes are parsed (404 unknown source), 17 are 400")
    func chunkExtension() throws {
        let d = try DaemonProcess(server: ephemeralServer("max_chunk_extension_bytes = 16"))
        let ok = try RawClient(d.ingest)
        try ok.send(chunked(extension: 16))
        #expect(ok.readAnswer()?.status == 404)
        let over = try RawClient(d.ingest)
        try over.send(chunked(extension: 17))
        #expect(over.readAnswer()?.status == 400)
    }

    @Test("max_trailer_bytes = 256: a 256-byte trailer section is parsed, 257 is 431")
    func trailers() throws {
        let d = try DaemonProcess(server: ephemeralServer("max_trailer_bytes = 256"))
        let ok = try RawClient(d.ingest)
        try ok.send(chunked(trailer: 256))
        #expect(ok.readAnswer()?.status == 404)
        let over = try RawClient(d.ingest)
        try over.send(chunked(trailer: 257))
        #expect(over.readAnswer()?.status == 431)
    }
}

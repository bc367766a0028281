import Glibc
import PayhookCore
import PayhookPosix
import TestSupport
import Testing

@testable import PayhookLog
@testable import PayhookStore

@Suite struct LogToolTests {
    @Test("verify says ok with exit 0 for a clean log and reports a torn tail without failing")
    func verifyClean() throws {
        let log = try TestLog(options: Fixtures.options(segmentBytes: 1024))
        log.append((1...6).map { Fixtures.payload($0) })
        log.close()
        defer { log.dir.remove() }
        var (report, code) = LogTool.verify(dir: log.dir.path)
        #expect(code == 0)
        #expect(report.contains("6 records: ok"))
        let last = log.segmentPaths().last!
        forgetWitnesses(log.dir)  // the torn record was never acknowledged
        log.dir.write(last, log.dir.read(last).dropLast(3))
        (report, code) = LogTool.verify(dir: log.dir.path)
        #expect(code == 0)
        #expect(report.contains("torn tail"))
    }

    @Test("dump writes one payhook.event/v1 JSON line per event from a seq, with the body as data")
    func dumpEvents() throws {
        let log = try TestLog()
        log.append((1...4).map { Fixtures.payload($0) })
        log.close()
        defer { log.dir.remove() }
        var lines: [String] = []
        try LogTool.dump(dir: log.dir.path, from: 3, raw: false) { lines.append($0) }
        #expect(lines.count == 2)
        var e = Fixtures.event(3)
        e.seq = 3
        #expect(lines[0] == String(decoding: e.jsonBytes(data: Fixtures.request().body), as: UTF8.self))
    }

    @Test("dump --raw writes the stored request with its body in base64")
    func dumpRaw() throws {
        let log = try TestLog()
        var request = Fixtures.request()
        request.body = Array("hello".utf8)
        request.bodyIsJSON = false
        log.append([.event(request, Fixtures.event(1))])
        log.close()
        defer { log.dir.remove() }
        var lines: [String] = []
        try LogTool.dump(dir: log.dir.path, raw: true) { lines.append($0) }
        #expect(lines.count == 1)
        #expect(lines[0].contains("\"body_base64\":\"aGVsbG8=\""))
        #expect(lines[0].contains("\"headers\":[[\"content-type\",\"application/json\"],[\"x-signature\",\"abc123\"]]"))
        #expect(lines[0].hasPrefix("{\"seq\":1,"))
    }

    @Test("stats counts segments, records, quarantined events and duplicate markers")
    func stats() throws {
        let log = try TestLog(options: Fixtures.options(segmentBytes: 1024))
        log.append((1...5).map { Fixtures.payload($0) })
        log.append([.event(Fixtures.request(), Fixtures.event(6, quarantined: "unknown"))], firstTicket: 6)
        let marker = DuplicateMarker(source: "noventiq", peerAddress: "a", clientAddress: "b", eventID: Fixtures.event(1).id, originalSeq: 1)
        log.append([.duplicate(marker, receivedAtMs: 1_795_341_600_000)], firstTicket: 7)
        log.close()
        defer { log.dir.remove() }
        let text = try LogTool.stats(dir: log.dir.path)
        #expect(text.contains("records: 7"))
        #expect(text.contains("first_seq: 1") && text.contains("last_seq: 7"))
        #expect(text.contains("quarantined: 1") && text.contains("duplicates: 1"))
        #expect(text.contains("segments: \(log.segmentPaths().count)"))
    }

    @Test("base64 matches RFC 4648 test vectors")
    func base64() {
        for (input, output) in [
            ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
        ] {
            #expect(Base64.encode(Array(input.utf8)) == output)
        }
    }

    @Test("the reader pages through records after a seq, skipping none")
    func readerPages() throws {
        let log = try TestLog(options: Fixtures.options(segmentBytes: 1024))
        defer {
            log.close()
            log.dir.remove()
        }
        log.append((1...9).map { Fixtures.payload($0) })
        let page = try log.opened.reader.records(after: 4, limit: 3, index: log.index)
        #expect(page.map(\.seq) == [5, 6, 7])
        #expect(try log.opened.reader.records(after: 8, limit: 10, index: log.index).map(\.seq) == [9])
    }
}

@Suite struct LogToolVerifyTests {
    @Test("verify names a missing segment (a seq gap) and a flipped byte, exit 1, and keeps checking later segments")
    func verifyDamage() throws {
        let log = try TestLog(options: Fixtures.options(segmentBytes: 400))
        log.append((1...6).map { Fixtures.payload($0) })
        log.close()
        defer { log.dir.remove() }
        let paths = log.segmentPaths()
        #expect(paths.count == 6)
        _ = unlink(paths[1])
        var bytes = log.dir.read(paths[4])
        bytes[60] ^= 0x10
        log.dir.write(paths[4], bytes)
        let (report, code) = LogTool.verify(dir: log.dir.path)
        #expect(code == 1)
        #expect(report.contains("\(paths[2]): damaged at byte offset 12: first seq 3 where 2 was expected"))
        #expect(report.contains("\(paths[4]): damaged at byte offset 32: CRC mismatch"))
        #expect(report.contains("DAMAGED (2 segments)"))
    }
}

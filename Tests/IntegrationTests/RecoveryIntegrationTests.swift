import Glibc
import PayhookCore
import Testing

/// Finding 6 through the real binary: `serve` refuses to start when the log ends below a seq a
/// durable witness (snapshot, high-water mark `log/acked`) proves acknowledged, cuts a tail no
/// witness covers, and `payhookd log verify` agrees with it: same verdict, same words, exit 1
/// where `serve` refuses.
@Suite(.serialized) struct RecoveryIntegrationTests {
    /// What `serve` and `log verify` said about one storage folder.
    struct Verdicts {
        var serveStatus: Int32?
        var serveStderr: String
        var verifyStatus: Int32
        var verifyStdout: String
        /// The daemon, when it started (the caller stops it).
        var daemon: DaemonProcess?
    }

    /// The smallest segments the config accepts (lines of `[storage]`), then the fixtures' sources.
    static let sources = "segment_bytes = 1048576\n" + fixtureSources

    /// A daemon's storage holding `count` acknowledged callbacks (bodies padded to `padBytes`),
    /// stopped with SIGTERM: the final snapshot and `log/acked` prove every one of them.
    func storedLog(_ count: Int, padBytes: Int = 0) throws -> (dir: String, seqs: [UInt64]) {
        let d = try DaemonProcess(server: ephemeralServer(), sources: Self.sources)
        let c = try RawClient(d.ingest)
        let pad = String(repeating: "x", count: padBytes)
        var seqs: [UInt64] = []
        for id in 1...count {
            try c.send(nonstopayRequest("nonstopay-payin", body: "{\"status\":\"invoice:paid\",\"id\":\"\(id)\",\"pad\":\"\(pad)\"}"))
            let answer = c.readAnswer()
            #expect(answer?.status == 200)
            seqs.append(UInt64(json(answer)?["seq"]?.numberText ?? "0") ?? 0)
        }
        d.signal(SIGTERM)
        #expect(d.waitExit() == 0)
        return (d.dir, seqs)
    }

    /// Runs `log verify`, then `serve`, on `dir`; expects them to agree: exit 1 and the same
    /// message where `serve` refuses ("cannot start: MESSAGE"), exit 0 and the same note where
    /// it starts ("log recovered: ...; NOTE").
    func judgeBoth(_ dir: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Verdicts {
        let verify = try runCLI(["log", "verify", "--dir", dir + "/var"], dir: dir)
        unlink(dir + "/ready")
        let d = try DaemonProcess(server: ephemeralServer(), sources: Self.sources, awaitReady: false, dir: dir)
        var status: Int32?
        for _ in 0..<1500 where status == nil && access(dir + "/ready", F_OK) != 0 {
            usleep(10_000)
            status = d.poll()
        }
        var v = Verdicts(serveStatus: status, serveStderr: d.stderr, verifyStatus: verify.status, verifyStdout: verify.stdout)
        if let status {
            #expect(status == 1, "serve: \(v.serveStderr)", sourceLocation: sourceLocation)
            #expect(verify.status == 1, "verify: \(verify.stdout)", sourceLocation: sourceLocation)
            let message = v.serveStderr.split(separator: "\n").first { $0.contains("cannot start: ") }.map {
                String($0[$0.firstRange(of: "cannot start: ")!.upperBound...])
            }
            let refusal = try #require(message, "serve: \(v.serveStderr)", sourceLocation: sourceLocation)
            #expect(verify.stdout.contains(refusal), "verify: \(verify.stdout)\nserve: \(refusal)", sourceLocation: sourceLocation)
        } else {
            try d.waitReady()
            v.daemon = d
            #expect(verify.status == 0, "verify: \(verify.stdout)", sourceLocation: sourceLocation)
            // Every line but the summary is a note start-up logs too.
            for note in verify.stdout.split(separator: "\n").dropLast() {
                #expect(v.serveStderr.contains(note), "serve: \(v.serveStderr)\nverify note: \(note)", sourceLocation: sourceLocation)
            }
        }
        return v
    }

    func logDir(_ dir: String) -> String { dir + "/var/log" }

    /// Sorted segment paths.
    func segments(_ dir: String) -> [String] {
        guard let d = opendir(logDir(dir)) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(".seg") { names.append(name) }
        }
        return names.sorted().map { logDir(dir) + "/" + $0 }
    }

    /// Byte offsets of the frames of a segment (format in LogFormat.swift: 32-byte header,
    /// then length u32 LE, crc u32, payload).
    func frameOffsets(_ bytes: [UInt8]) -> [Int] {
        var out: [Int] = []
        var at = 32
        while at + 8 <= bytes.count {
            out.append(at)
            let length = Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
            at += 8 + length
        }
        return out
    }

    @Test("a flipped byte in the last acked record: serve exits 1 naming the mark, verify says the same")
    func flipInLastRecord() throws {
        let (dir, seqs) = try storedLog(3)
        defer { removeTree(dir) }
        let path = try #require(segments(dir).last)
        var bytes = try readBinary(path)
        let last = try #require(frameOffsets(bytes).last)
        bytes[last + 30] ^= 0x04
        try writeBinary(path, bytes)
        let v = try judgeBoth(dir)
        #expect(v.serveStatus == 1)
        #expect(v.verifyStdout.contains("log ends at seq \(seqs[1]) (\(path) has a damaged last record at byte offset \(last): CRC mismatch)"))
        #expect(v.verifyStdout.contains("the high-water mark \(logDir(dir))/acked proves seq \(seqs[2]) was acknowledged"))
    }

    @Test("a bad length in the last acked record: refused by both, not cut as a torn write")
    func badLengthInLastRecord() throws {
        let (dir, seqs) = try storedLog(3)
        defer { removeTree(dir) }
        let path = try #require(segments(dir).last)
        var bytes = try readBinary(path)
        let last = try #require(frameOffsets(bytes).last)
        bytes[last] = 40
        bytes[last + 1] = 0
        try writeBinary(path, bytes)
        let v = try judgeBoth(dir)
        #expect(v.serveStatus == 1)
        #expect(v.verifyStdout.contains("log ends at seq \(seqs[1]) (\(path) has a damaged last record at byte offset \(last)"))
    }

    @Test("the last segment deleted: the newer snapshot proves the lost seqs; refused by both, files named")
    func lastSegmentDeleted() throws {
        let (dir, seqs) = try storedLog(24, padBytes: 60_000)  // 1.4 MB: two 1 MiB segments
        defer { removeTree(dir) }
        let paths = segments(dir)
        try #require(paths.count >= 2)
        unlink(paths.last!)
        let v = try judgeBoth(dir)
        #expect(v.serveStatus == 1)
        let snapshot = logDir(dir) + "/index-" + String(repeating: "0", count: 20 - String(seqs.last!).count) + String(seqs.last!) + ".snap"
        #expect(v.verifyStdout.contains("(\(paths[paths.count - 2]) ends there) but the snapshot \(snapshot) proves seq \(seqs.last!)"))
        #expect(v.verifyStdout.contains("move aside \(snapshot), \(logDir(dir))/acked"))
    }

    @Test("a snapshot newer than the log (last segment cut at a record boundary, no mark): refused by both")
    func snapshotNewerThanLog() throws {
        let (dir, seqs) = try storedLog(4)
        defer { removeTree(dir) }
        unlink(logDir(dir) + "/acked")
        let path = try #require(segments(dir).last)
        let bytes = try readBinary(path)
        try writeBinary(path, Array(bytes.prefix(frameOffsets(bytes)[2])))
        let v = try judgeBoth(dir)
        #expect(v.serveStatus == 1)
        #expect(v.verifyStdout.contains("log ends at seq \(seqs[1]) (\(path) ends there) but the snapshot "))
    }

    @Test("a genuinely torn tail above every witness is cut by serve, reported alike by verify; the next seq is above the mark")
    func tornTailCutNoReuse() throws {
        let (dir, seqs) = try storedLog(3)
        defer { removeTree(dir) }
        let path = try #require(segments(dir).last)
        let bytes = try readBinary(path)
        let last = try #require(frameOffsets(bytes).last)
        let frame = Array(bytes[last...])
        try writeBinary(path, bytes + frame.prefix(frame.count / 2))  // half of a next frame
        let mark = try readBinary(logDir(dir) + "/acked")
        let marked = (12..<20).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64(mark[$1]) }
        #expect(marked == seqs[2])
        let v = try judgeBoth(dir)
        let d = try #require(v.daemon, "serve refused: \(v.serveStderr)")
        #expect(v.serveStderr.contains("torn tail cut in \(path) at byte offset \(bytes.count)"))
        #expect(v.verifyStdout.contains("torn tail cut in \(path)"))
        let c = try RawClient(d.ingest)
        try c.send(nonstopayRequest("nonstopay-payin", body: #"{"status":"invoice:paid","id":"after-cut"}"#))
        let seq = UInt64(json(c.readAnswer())?["seq"]?.numberText ?? "0") ?? 0
        #expect(seq == marked + 1, "the next stored event gets a seq above the high-water mark \(marked)")
        d.signal(SIGTERM)
        #expect(d.waitExit() == 0)
    }

    func readBinary(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0, "open \(path)")
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return out
    }

    func writeBinary(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        try #require(fd >= 0, "open \(path)")
        defer { close(fd) }
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        try #require(n == bytes.count)
    }
}

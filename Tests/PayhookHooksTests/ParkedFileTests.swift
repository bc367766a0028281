import Glibc
import PayhookCore
import Testing

@testable import PayhookHooks

@Suite struct ParkedFileTests {
    func parked(_ seq: UInt64, jsonBytes: Int = 100) -> ParkedEvent {
        ParkedEvent(
            hook: "orders", record: ParkRecord(seq: seq, eventID: "shop:p:\(seq)", attempts: 7, firstAttemptMs: 10, lastAttemptMs: 20),
            lastError: "HTTP 500", eventJSON: Array(repeating: UInt8(ascii: "x"), count: jsonBytes))
    }

    func tempPath() -> String {
        let dir = "/tmp/payhook-parkedfile-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        mkdir(dir, 0o700)
        return ParkedList.path(directory: dir, hook: "orders")
    }

    func bytes(_ path: String) -> [UInt8] {
        guard let f = fopen(path, "rb") else { return [] }
        defer { fclose(f) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, 65_536, f) }
            if n == 0 { break }
            out += chunk[0..<n]
        }
        return out
    }

    func write(_ path: String, _ b: [UInt8]) {
        let f = fopen(path, "wb")!
        _ = b.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
        fclose(f)
    }

    @Test("each change is appended: earlier bytes stay as they were, the file grows by one frame")
    func appendOnly() throws {
        let path = tempPath()
        let file = try ParkedFile(path: path)
        try file.append([.parked(parked(3))])
        let first = bytes(path)
        try file.append([.parked(parked(5))])
        try file.append([.delivered(3)])
        let now = bytes(path)
        #expect(Array(now.prefix(first.count)) == first)
        #expect(now.count == first.count + ParkedChange.parked(parked(5)).frame().count + ParkedChange.delivered(3).frame().count)
        let back = try ParkedList.read(path: path)
        #expect(back.seqs == [5])
        #expect(back[5] == parked(5))
    }

    @Test("n parkings write O(n) bytes, and the file stays within twice its live entries once compacted")
    func boundedGrowth() throws {
        let path = tempPath()
        let file = try ParkedFile(path: path)
        let frames = (UInt64(1)...300).map { ParkedChange.parked(parked($0, jsonBytes: 1000)).frame().count }
        let frame = frames.max()!
        for seq in UInt64(1)...300 { try file.append([.parked(parked(seq, jsonBytes: 1000))]) }
        #expect(bytes(path).count == 12 + frames.reduce(0, +), "appended, never rewritten")
        for seq in UInt64(1)...290 { try file.append([.delivered(seq)]) }
        let live = 12 + 10 * frame
        let size = bytes(path).count
        #expect(size <= max(2 * live, ParkedFile.compactMinBytes) + frame)
        #expect(try ParkedList.read(path: path).seqs == Array(291...300))
        // Reopened (as after a restart): the same list, and appends go on.
        let again = try ParkedFile(path: path)
        try again.append([.delivered(291)])
        #expect(try ParkedList.read(path: path).seqs == Array(292...300))
    }

    @Test("a torn last frame (a crash mid-append) is ignored and cut off; a bad frame in the middle is damage")
    func tornTailAndDamage() throws {
        let path = tempPath()
        let file = try ParkedFile(path: path)
        try file.append([.parked(parked(1)), .parked(parked(2))])
        let good = bytes(path)
        let torn = good + Array(ParkedChange.parked(parked(3)).frame().dropLast(7))
        write(path, torn)
        #expect(try ParkedList.read(path: path).seqs == [1, 2])
        let reopened = try ParkedFile(path: path)
        #expect(bytes(path) == good, "the torn frame is cut off before the next append")
        try reopened.append([.parked(parked(4))])
        #expect(try ParkedList.read(path: path).seqs == [1, 2, 4])
        var damaged = bytes(path)
        damaged[12 + 20] ^= 1  // inside the first frame, more frames follow
        write(path, damaged)
        let error = #expect(throws: ParkedList.FileError.self) { try ParkedList.read(path: path) }
        #expect(error == .damaged(path: path, .badEntry(index: 0)))
    }

    @Test("a version-1 file (the whole list under one CRC) is read, and rewritten as version 2 by the first append")
    func versionOne() throws {
        let path = tempPath()
        write(path, ParkedList([parked(1), parked(2)]).encode())
        #expect(try ParkedList.read(path: path).seqs == [1, 2])
        let file = try ParkedFile(path: path)
        try file.append([.delivered(1)])
        #expect(bytes(path)[8] == 2)
        #expect(try ParkedList.read(path: path).seqs == [2])
    }

    @Test("decode bound: a file of exactly the bound is read, one byte over is refused unread, naming it")
    func decodeBound() throws {
        let path = tempPath()
        let file = try ParkedFile(path: path)
        try file.append([.parked(parked(1)), .parked(parked(2))])
        let n = bytes(path).count
        #expect(try ParkedList.read(path: path, maxBytes: n).seqs == [1, 2])
        #expect(throws: ParkedList.FileError.tooLarge(path: path, bytes: Int64(n), maxBytes: Int64(n - 1))) {
            try ParkedList.read(path: path, maxBytes: n - 1)
        }
        #expect(throws: ParkedList.FileError.tooLarge(path: path, bytes: Int64(n), maxBytes: Int64(n - 1))) {
            _ = try ParkedFile(path: path, maxBytes: n - 1)
        }
    }
}

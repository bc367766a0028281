import CLinuxShim
import Glibc
import PayhookHooks
import TestSupport
import Testing

@Suite struct HookCursorTests {
    static let sample = HookCursor(
        scanSeq: 1_000,
        pending: [
            .init(seq: 3, firstAttemptMs: 1_795_341_600_000, attempts: 17),
            .init(seq: 500, firstAttemptMs: 0, attempts: 0),
            .init(seq: 999, firstAttemptMs: -1, attempts: .max),
        ])

    @Test("a cursor survives encode and decode, empty and with pending entries")
    func roundTrip() throws {
        #expect(try HookCursor.decode(Self.sample.encode()) == Self.sample)
        let empty = HookCursor(scanSeq: 1)
        #expect(try HookCursor.decode(empty.encode()) == empty)
        #expect(empty.encode().count == 28)
        #expect(Self.sample.encode().count == 28 + 3 * 20)
    }

    @Test("every truncation of a cursor is refused, never decoded as a shorter one")
    func truncation() {
        let bytes = Self.sample.encode()
        for n in 0..<bytes.count {
            #expect(throws: HookCursor.DecodeError.self, "cut at \(n)") { try HookCursor.decode(Array(bytes[0..<n])) }
        }
        #expect(throws: HookCursor.DecodeError.self) { try HookCursor.decode(bytes + [0]) }
    }

    @Test("every single bit flip of a cursor is refused")
    func bitFlips() {
        let bytes = Self.sample.encode()
        for i in 0..<bytes.count {
            for bit in 0..<8 {
                var damaged = bytes
                damaged[i] ^= UInt8(1 << bit)
                #expect(throws: HookCursor.DecodeError.self, "byte \(i) bit \(bit)") { try HookCursor.decode(damaged) }
            }
        }
    }

    @Test("a CRC-valid file with unordered pending seqs or a seq at scan_seq is refused")
    func structuralChecks() throws {
        let unordered = HookCursor(scanSeq: 10, pending: [.init(seq: 5), .init(seq: 5)])
        #expect(throws: HookCursor.DecodeError.badPendingSeq(index: 1)) { try HookCursor.decode(unordered.encodeUnchecked()) }
        let tooHigh = HookCursor(scanSeq: 10, pending: [.init(seq: 10)])
        #expect(throws: HookCursor.DecodeError.badPendingSeq(index: 0)) { try HookCursor.decode(tooHigh.encodeUnchecked()) }
        var future = Self.sample.encode()
        future[8] = 2
        #expect(throws: HookCursor.DecodeError.badCRC) { try HookCursor.decode(future) }
    }

    @Test("the file is absent for a new hook, replaced whole, and damage names the file")
    func file() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = HookCursor.path(directory: dir.path, hook: "orders")
        #expect(try HookCursor.read(path: path) == nil)
        try Self.sample.write(path: path)
        #expect(try HookCursor.read(path: path) == Self.sample)
        let later = HookCursor(scanSeq: 2_000, pending: [.init(seq: 1_500)])
        try later.write(path: path)
        #expect(try HookCursor.read(path: path) == later)
        #expect(access(path + ".tmp", F_OK) != 0)
        var bytes = dir.read(path)
        bytes[13] ^= 1
        dir.write(path, bytes)
        #expect(throws: HookCursor.FileError.damaged(path: path, .badCRC)) { try HookCursor.read(path: path) }
    }
}

extension HookCursor {
    /// The encoding without the writer's preconditions, to test the reader's own checks.
    func encodeUnchecked() -> [UInt8] {
        let good = HookCursor(scanSeq: scanSeq, pending: pending.map { .init(seq: min($0.seq, scanSeq - 1)) }).encode()
        var b = Array(good[0..<24])
        for p in pending {
            for i in 0..<8 { b.append(UInt8(truncatingIfNeeded: p.seq >> (8 * UInt64(i)))) }
            b += [UInt8](repeating: 0, count: 12)
        }
        let crc = b.withUnsafeBytes { cshim_crc32c(0, $0.baseAddress, $0.count) }
        for i in 0..<4 { b.append(UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i)))) }
        return b
    }
}

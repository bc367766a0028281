import Testing

@testable import PayhookLog
@testable import PayhookStore

/// Deterministic mutation tests: the scanner and decoder take bytes from disk, so no input may
/// crash them, and what they accept must be exactly what was written.
@Suite struct SegmentFuzzTests {
    /// SplitMix64, so failures reproduce.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    private func segment() -> ([UInt8], [LogRecord]) {
        var bytes = SegmentHeader(firstSeq: 1, createdMs: 0).encoded()
        var records: [LogRecord] = []
        for n in 1...6 {
            var e = Fixtures.event(n)
            e.seq = UInt64(n)
            let r = LogRecord(
                seq: UInt64(n), payload: n == 4 ? .other(type: 3, receivedAtMs: 1, bytes: [1, 2]) : .event(Fixtures.request(bodyBytes: 20 * n), e))
            RecordCodec.appendFrame(r, to: &bytes)
            records.append(r)
        }
        return (bytes, records)
    }

    @Test("3,000 random mutations: never a crash; accepted records are an exact prefix of those written")
    func mutations() {
        let (original, records) = segment()
        var rng = Random(state: 42)
        for round in 0..<3000 {
            var bytes = original
            switch rng.below(4) {
            case 0: for _ in 0...rng.below(3) { bytes[32 + rng.below(bytes.count - 32)] ^= UInt8(1 << rng.below(8)) }
            case 1: bytes.removeLast(rng.below(bytes.count - 32))
            case 2: bytes.insert(contentsOf: (0..<rng.below(40)).map { _ in UInt8(rng.below(256)) }, at: 32 + rng.below(bytes.count - 32))
            default: bytes.append(contentsOf: (0..<rng.below(64)).map { _ in UInt8(rng.below(256)) })
            }
            var seen: [LogRecord] = []
            let end = SegmentScanner.scanRecords(bytes, isLast: rng.below(2) == 0, expectedSeq: 1) { r, _, _ in seen.append(r) }
            #expect(Array(records.prefix(seen.count)) == seen, "round \(round)")
            if bytes == original { #expect(end == .clean) }
        }
    }

    @Test("random payload bytes never crash the decoder (it throws or returns)")
    func randomPayloads() {
        var rng = Random(state: 7)
        let (original, _) = segment()
        for _ in 0..<5000 {
            var payload: [UInt8]
            if rng.below(2) == 0 {
                payload = (0..<rng.below(300)).map { _ in UInt8(rng.below(256)) }
                if !payload.isEmpty { payload[0] = UInt8(1 + rng.below(3)) }
            } else {
                // A real payload with a few bytes changed (past the CRC, as a bug would produce).
                let start = 40
                let length = Int(SegmentScanner.readU32(original, 32))
                payload = Array(original[start..<(start + length)])
                for _ in 0...rng.below(4) { payload[rng.below(payload.count)] = UInt8(rng.below(256)) }
            }
            _ = try? RecordCodec.decodePayload(payload[...])
        }
    }
}

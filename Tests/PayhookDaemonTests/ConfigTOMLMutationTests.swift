import Testing

@testable import PayhookDaemon

/// Robustness: thousands of seeded random mutations of the shipped configs never crash the parser
/// or the loader, and every refusal points at a line that exists.
@Suite struct ConfigTOMLMutationTests {
    typealias S = ConfigTestSupport

    /// xorshift64*: deterministic, so a failure reproduces with its iteration number.
    struct Random {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return Int((state &* 0x2545_F491_4F6C_DD1D) % UInt64(max(bound, 1)))
        }
    }

    static let alphabet = Array("[]{}=\"'.,#\\\n\r\t _-+0123456789abcxyzeE:/u\u{00}".utf8) + [0xC3, 0xA9, 0xFF]

    static func mutate(_ bytes: [UInt8], _ random: inout Random) -> [UInt8] {
        var out = bytes
        for _ in 0...random.next(4) {
            let at = random.next(out.count + 1)
            switch random.next(4) {
            case 0 where at < out.count: out[at] = alphabet[random.next(alphabet.count)]
            case 1: out.insert(alphabet[random.next(alphabet.count)], at: at)
            case 2 where at < out.count: out.remove(at: at)
            default: out = Array(out[..<at])
            }
        }
        return out
    }

    @Test("mutated configs parse or fail with an in-range line, never crash", arguments: ["payhookd.toml", "payhookd.dev.toml"])
    func mutations(_ file: String) {
        let original = Array(S.read(S.repoRoot + "/config/" + file).utf8)
        var random = Random(state: 0x9E37_79B9_7F4A_7C15 ^ UInt64(file.utf8.count))
        let folder = S.makeTempDir()
        defer { S.removeTree(folder) }
        // The secret files both configs name, so that mutations get past them.
        _ = S.run(["/bin/mkdir", folder + "/dev-secrets"])
        for name in ["nonstopay.key", "noventiq.key", "dev-secrets/nonstopay.key", "dev-secrets/noventiq.key"] {
            S.write(folder + "/" + name, "k\n")
        }
        var refused = 0
        var loaded = 0
        for iteration in 0..<2000 {
            let bytes = Self.mutate(original, &random)
            let lines = bytes.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            do {
                _ = try Config.parse(bytes, path: folder + "/payhookd.toml", environment: [:])
                loaded += 1
            } catch {
                refused += 1
                #expect(error.line >= 1 && error.line <= lines, "iteration \(iteration): line \(error.line) of \(lines)")
            }
        }
        // The mutations reach both outcomes.
        #expect(refused > 500)
        #expect(loaded > 100)
    }
}

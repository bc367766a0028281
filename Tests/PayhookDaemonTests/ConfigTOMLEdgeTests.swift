import Testing

@testable import PayhookDaemon

/// Edges found by running toml-test against the parser: a leading byte order mark, floats out of
/// the binary64 range, and depth limits beyond what the stack can hold.
@Suite struct ConfigTOMLEdgeTests {
    static let bom = "\u{FEFF}"

    @Test("a UTF-8 byte order mark at the very start is skipped; lines still count from 1")
    func leadingBOM() throws {
        let doc = try TOMLParser().parse(Self.bom + "a = 1\nb = \"x\"\n")
        #expect(doc["a"] == TOMLValue(.integer(1), line: 1))
        #expect(doc["b"] == TOMLValue(.string("x"), line: 2))
        #expect(try TOMLParser().parse(Self.bom).keys.isEmpty)
        #expect(try TOMLParser().parse(Self.bom + "# only a comment").keys.isEmpty)
    }

    @Test("a byte order mark anywhere but the very start is refused; inside a string it is content")
    func bomElsewhere() throws {
        #expect(throws: TOMLError(.expected("a key"), line: 1)) { try TOMLParser().parse(Self.bom + Self.bom + "a = 1") }
        #expect(throws: TOMLError(.expected("a key"), line: 2)) { try TOMLParser().parse("a = 1\n" + Self.bom + "b = 2") }
        #expect(throws: TOMLError.self) { try TOMLParser().parse(" " + Self.bom + "a = 1") }
        #expect(try TOMLParser().parse("s = \"\(Self.bom)x\"")["s"]?.kind == .string("\u{FEFF}x"))
    }

    @Test("a leading byte order mark counts toward the document size limit")
    func bomCountsTowardSize() throws {
        let text = Self.bom + "a = 1"  // 8 bytes
        _ = try TOMLParser(limits: TOMLLimits(maxDocumentBytes: 8)).parse(text)
        #expect(throws: TOMLError(.documentTooLarge(maxBytes: 7), line: 1)) {
            try TOMLParser(limits: TOMLLimits(maxDocumentBytes: 7)).parse(text)
        }
    }

    @Test(
        "floats that overflow to infinity are refused at their line", arguments: ["1e400", "-1e400", "1.8e308", "1_0e308", "1.7976931348623159e308"])
    func floatOverflow(literal: String) {
        #expect(throws: TOMLError(.floatOutOfRange, line: 2)) { try TOMLParser().parse("a = 1\nb = \(literal)") }
    }

    @Test("a non-zero float that underflows to zero is refused; zero written any way is zero")
    func floatUnderflow() throws {
        for literal in ["1e-400", "-1e-400", "0.000_1e-330", "2e-324"] {
            #expect(throws: TOMLError(.floatOutOfRange, line: 1)) { try TOMLParser().parse("b = \(literal)") }
        }
        for literal in ["0.0", "-0.0", "0e-400", "0.000e999", "+0.0"] {
            guard case .float(let zero)? = try TOMLParser().parse("b = \(literal)")["b"]?.kind else {
                Issue.record("\(literal) did not parse as a float")
                continue
            }
            #expect(zero == 0)
        }
    }

    @Test("the largest and smallest finite floats still parse, and inf and nan stay allowed")
    func floatRangeEdges() throws {
        let doc = try TOMLParser().parse("a = 1.7976931348623157e308\nb = 5e-324\nc = 2.2250738585072014e-308\nd = inf\ne = -nan")
        #expect(doc["a"]?.kind == .float(.greatestFiniteMagnitude))
        #expect(doc["b"]?.kind == .float(.leastNonzeroMagnitude))
        #expect(doc["c"]?.kind == .float(.leastNormalMagnitude))
        #expect(doc["d"]?.kind == .float(.infinity))
        guard case .float(let nan)? = doc["e"]?.kind else {
            Issue.record("nan")
            return
        }
        #expect(nan.isNaN)
    }

    @Test("a float out of range in a config file is reported as file:line")
    func floatOutOfRangeInConfig() throws {
        let path = ConfigTestSupport.configFile("\n\n[server]\nx = 1e400\n")
        defer { ConfigTestSupport.removeTree(ConfigFiles.folder(of: path)) }
        do {
            _ = try Config.load(path: path, environment: [:])
            Issue.record("loaded")
        } catch {
            #expect(error.description == "\(path):4: float is out of range (overflows to infinity or a non-zero value underflows to zero)")
        }
    }

    @Test("the depth ceiling holds whatever limit the caller passes: depth 128 parses, 129 does not")
    func depthCeiling() throws {
        let parser = TOMLParser(limits: TOMLLimits(maxDepth: Int.max))
        #expect(TOMLLimits.maxDepthCeiling == 128)
        // `a` is depth 1 and each array puts its elements one deeper: 127 arrays hold `1` at 128.
        func arrays(_ n: Int) -> String { "a = " + String(repeating: "[", count: n) + "1" + String(repeating: "]", count: n) }
        _ = try parser.parse(arrays(127))
        let tooDeep = TOMLError(.tooDeep(maxDepth: 128), line: 1)
        #expect(throws: tooDeep) { try parser.parse(arrays(128)) }
        let dotted = (0..<128).map { "k\($0)" }.joined(separator: ".")
        _ = try parser.parse(dotted + " = 1")
        #expect(throws: tooDeep) { try parser.parse(dotted + ".x = 1") }
    }

    @Test("a caller passing Int.max with a 100k-deep input gets the depth error, not a crash")
    func hostileDepthWithHugeLimit() {
        let parser = TOMLParser(limits: TOMLLimits(maxDocumentBytes: Int.max, maxDepth: Int.max))
        let tooDeep = TOMLError(.tooDeep(maxDepth: 128), line: 1)
        #expect(throws: tooDeep) { try parser.parse("a = " + String(repeating: "[", count: 100_000)) }
        #expect(throws: tooDeep) { try parser.parse("a = " + String(repeating: "{b = ", count: 100_000)) }
        #expect(throws: tooDeep) { try parser.parse("[" + Array(repeating: "a", count: 100_000).joined(separator: ".") + "]") }
        #expect(throws: tooDeep) { try parser.parse("a = [" + String(repeating: "{b = [", count: 100_000)) }
    }
}

/// Keys compare by their UTF-8 bytes, as the JSON parser's member names do: Swift's `String ==`
/// (canonical equivalence) would make `"\u212A"` the key `K` and refuse NFC and NFD spellings
/// of one name as a duplicate.
@Suite struct ConfigTOMLKeyBytesTests {
    @Test("NFC and NFD spellings of a key are two keys, not a duplicate")
    func nfcAndNFDAreTwoKeys() throws {
        let doc = try TOMLParser().parse("\"\\u00e9\" = 1\n\"e\\u0301\" = 2\n[t]\n\"\u{E9}\" = 3\n\"e\u{301}\" = 4")
        #expect(doc.keys.count == 3)
        #expect(doc["\u{E9}"]?.kind == .integer(1))
        #expect(doc["e\u{301}"]?.kind == .integer(2))
        guard case .table(let t)? = doc["t"]?.kind else {
            Issue.record("t")
            return
        }
        #expect(t.pairs.map(\.value.kind) == [.integer(3), .integer(4)])
    }

    @Test("a Kelvin-sign key does not find `K`; byte-identical keys are still duplicates")
    func kelvinIsNotK() throws {
        let doc = try TOMLParser().parse("\"\\u212A\" = 1")
        #expect(doc["K"] == nil)
        #expect(doc["\u{212A}"]?.kind == .integer(1))
        #expect(throws: TOMLError(.duplicateKey(key: "\u{212A}", firstLine: 1), line: 2)) {
            try TOMLParser().parse("\"\\u212A\" = 1\n\"\u{212A}\" = 2")
        }
        #expect(throws: TOMLError(.duplicateTable(name: "\u{212A}", firstLine: 1), line: 2)) {
            try TOMLParser().parse("[\"\\u212A\"]\n[\"\u{212A}\"]")
        }
        _ = try TOMLParser().parse("[\"\\u212A\"]\n[K]")
    }
}

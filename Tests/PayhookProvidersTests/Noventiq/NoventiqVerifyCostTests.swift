import Glibc
import PayhookCore
import PayhookProviders
import Testing

/// Finding 8: a forged body must cost a scan before the signature check, not a tree of values.
/// The figures printed are the README's (µs per KB, full parse against the verifier's selective
/// parse); the assertions hold on any load: the shapes are refused or checked for what they are.
@Suite(.serialized) struct NoventiqVerifyCostTests {
    static let targetBytes = 700_000

    static func shapes() -> [(name: String, body: [UInt8])] {
        let n = targetBytes
        let array = "[" + Array(repeating: "1", count: n / 2).joined(separator: ",") + "]"
        var object = #"{"event":"order.created","order_id":1"#
        var i = 0
        while object.utf8.count < n {
            object += #","k\#(i)":\#(i)"#
            i += 1
        }
        object += "}"
        // 64 levels is the default depth limit: many siblings each nested to 60.
        let nest = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        var deep = #"{"event":"order.created","order_id":1,"x":["#
        deep += Array(repeating: nest, count: n / 120).joined(separator: ",") + "]}"
        return [("array", Array(array.utf8)), ("object", Array(object.utf8)), ("deep", Array(deep.utf8))]
    }

    static func microsecondsPerKB(_ body: [UInt8], _ work: ([UInt8]) -> Void) -> Double {
        var best = Double.infinity
        for _ in 0..<5 {
            var t0 = timespec()
            var t1 = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0)
            work(body)
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1)
            let us = Double(t1.tv_sec - t0.tv_sec) * 1e6 + Double(t1.tv_nsec - t0.tv_nsec) / 1e3
            best = min(best, us)
        }
        return best / (Double(body.count) / 1024)
    }

    @Test("0.7 MB array, many-key object and deep nesting: refused or mismatched, and the cost per KB printed")
    func cost() {
        let source = TestSources.noventiq()
        let headers = [(name: "signature", value: String(repeating: "0", count: 128))]
        for (name, body) in Self.shapes() {
            let expected: Verification = name == "array" ? .rejected(.unverifiableBody) : .rejected(.signatureMismatch)
            #expect(Providers.verify(source, headers: headers, body: body) == expected, "\(name)")
            let full = Self.microsecondsPerKB(body) { _ = try? JSONParser.parse($0) }
            let verify = Self.microsecondsPerKB(body) { _ = Providers.verify(source, headers: headers, body: $0) }
            print("verify-cost \(name) \(body.count) bytes: full parse \(Int(full * 100) / 100) µs/KB, verify \(Int(verify * 100) / 100) µs/KB")
        }
    }
}

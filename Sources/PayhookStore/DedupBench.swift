import CLinuxShim
import PayhookCore
import PayhookLog

/// `payhookd-logbench dedup N`: the dedup table alone, against the layout it replaced (one
/// dictionary of hi -> (lo, seq), 128 bits kept) in the same run: heap bytes an entry, and ns
/// an insert, a hit and a miss. Digests are computed in both (they are part of every lookup).
package enum DedupBench {
    package static func run(entries n: Int) -> [String] {
        // Ids built up front for the timed loops (up to 2M; past that the loops build them,
        // which costs the same in both).
        let keep = n <= 2_000_000
        let ids = keep ? (1...n).map(id) : []
        func key(_ i: Int) -> String { keep ? ids[i - 1] : id(i) }
        let probes = min(n, 1_000_000)

        var old: [UInt64: DedupTable.Slot] = [:]
        let oldInsert = time(n) {
            for i in 1...n {
                let d = DedupDigest.of(key(i))
                if old[d.hi] == nil { old[d.hi] = DedupTable.Slot(lo: d.lo, seq: UInt64(i)) }
            }
        }
        var hits = 0
        let oldHit = time(probes) {
            for i in 1...probes {
                let d = DedupDigest.of(key(i))
                if let s = old[d.hi], s.lo == d.lo { hits &+= Int(s.seq) }
            }
        }
        let oldMiss = time(probes) {
            for i in 1...probes where old[DedupDigest.of(id(n + i)).hi] != nil { hits &+= 1 }
        }
        let oldBytes = HeapCost.dictionary(capacity: old.capacity, keyStride: 8, valueStride: MemoryLayout<DedupTable.Slot>.stride)
        old = [:]

        var table = DedupTable()
        let newInsert = time(n) { for i in 1...n { table.insert(key(i), seq: UInt64(i)) } }
        let newHit = time(probes) { for i in 1...probes { hits &+= Int(table.lookup(key(i)) { _ in .same } ?? 0) } }
        let newMiss = time(probes) { for i in 1...probes where table.lookup(id(n + i), check: { _ in .same }) != nil { hits &+= 1 } }
        let newBytes = table.heapBytes()
        func line(_ name: String, _ bytes: Int, _ ins: Double, _ hit: Double, _ miss: Double) -> String {
            "dedup table=\(name) entries=\(n) bytes_per_entry=\(fmt(Double(bytes) / Double(n))) insert_ns=\(fmt(ins)) hit_ns=\(fmt(hit)) miss_ns=\(fmt(miss))"
        }
        return [
            line("dictionary", oldBytes, oldInsert, oldHit, oldMiss),
            line("sharded", newBytes, newInsert, newHit, newMiss) + " count=\(table.count) check=\(hits & 1)",
        ]
    }

    static func id(_ i: Int) -> String { "noventiq:pay-\(i / 4):order.payment.\(["created", "pending", "succeeded", "refunded"][i % 4])" }

    /// ns an operation of `ops` in `body`.
    static func time(_ ops: Int, _ body: () -> Void) -> Double {
        let start = cshim_monotonic_ns()
        body()
        return Double(cshim_monotonic_ns() - start) / Double(max(ops, 1))
    }

    static func fmt(_ x: Double) -> String { String(Int((x * 10).rounded())).inserted(decimalAt: 1) }
}

extension String {
    fileprivate func inserted(decimalAt n: Int) -> String {
        let digits = count <= n ? String(repeating: "0", count: n - count + 1) + self : self
        return String(digits.dropLast(n)) + "." + String(digits.suffix(n))
    }
}

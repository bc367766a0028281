import CLinuxShim
import Glibc
import PayhookCore
import PayhookLog
import PayhookStore

/// `lookups EVENTS`: the cost of a payment status lookup (`GET /v1/payments/...` answers from
/// it) over EVENTS events shaped as `gen`'s (EVENTS*0.3 payments), in memory: the index's
/// payment table against a dictionary of `PaymentState`s (the table's form before issue 12),
/// both built in the same run, so the two figures share the machine's load.
enum BenchLookup {
    static func run(events eventCount: Int) {
        let payments = max(1, eventCount * 3 / 10)
        var index = LogIndex()
        var dictionary: [PaymentKey: PaymentState] = [:]
        let nowMs = Int64(cshim_realtime_ms())
        // Events first (one shared request: the index reads only the event), so that the timed
        // loops do nothing else. Times are the thread's CPU time: other builds share the machine.
        var events: [NormalizedEvent] = []
        events.reserveCapacity(eventCount)
        var request: StoredRequest?
        for n in 0..<eventCount {
            guard case .event(let r, var e) = BenchScale.event(n, payments: payments, receivedAtMs: nowMs + Int64(n)) else { continue }
            e.seq = UInt64(n + 1)
            request = request ?? r
            events.append(e)
        }
        var t = cpuNs()
        for e in events {
            index.apply(
                .event(request!, e), at: AppendedRecord(seq: e.seq, location: RecordLocation(segmentFirstSeq: 1, offset: Int64(e.seq) * 100)),
                frameBytes: 100)
        }
        let indexNs = cpuNs() - t
        t = cpuNs()
        for e in events {
            let key = PaymentKey(source: e.source, paymentID: e.paymentID!)
            if dictionary[key] == nil { dictionary[key] = PaymentState(first: e, paymentID: key.paymentID) } else { dictionary[key]!.apply(e) }
        }
        let dictionaryNs = cpuNs() - t
        // Every payment once, in a scattered order (a multiplicative step coprime with the count).
        var keys: [PaymentKey] = []
        keys.reserveCapacity(payments)
        let all = Array(dictionary.keys).sorted { $0.paymentID.utf8.lexicographicallyPrecedes($1.paymentID.utf8) }
        for i in 0..<payments { keys.append(all[(i &* 7_919) % payments]) }
        precondition(payments % 7_919 != 0)
        var best = (table: UInt64.max, dictionary: UInt64.max)
        var checksum = 0
        for _ in 0..<5 {
            var t = cpuNs()
            for k in keys { checksum &+= index.lookup(source: k.source, paymentID: k.paymentID)?.events ?? 0 }
            best.table = min(best.table, cpuNs() - t)
            t = cpuNs()
            for k in keys { checksum &+= dictionary[k]?.events ?? 0 }
            best.dictionary = min(best.dictionary, cpuNs() - t)
        }
        precondition(checksum == 10 * eventCount, "lookups disagree with the events folded")
        let bytes = index.memoryByPart().first { $0.part == "payments" }?.bytes ?? 0
        func ns(_ total: UInt64, _ n: Int) -> String { Bench.fmt(Double(total) / Double(n)) }
        print("lookups payments=\(payments) events=\(eventCount) table_bytes_per_payment=\(Bench.fmt(Double(bytes) / Double(payments)))")
        print("lookup ns_per_lookup table=\(ns(best.table, payments)) dictionary=\(ns(best.dictionary, payments))")
        print(
            "fold ns_per_event index_apply=\(ns(indexNs, eventCount)) dictionary=\(ns(dictionaryNs, eventCount)) (index_apply includes dedup and the seq map)"
        )
    }
}

/// CPU time of the calling thread, in nanoseconds. The corresponding C function is `clock_gettime`.
private func cpuNs() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

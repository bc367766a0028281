import PayhookCore
import PayhookLog

/// Bytes one part of the index holds on the heap (an estimate from capacities and string
/// lengths, not a malloc count; `log stats` and scripts/bench-scale.sh report it).
public struct IndexPartMemory: Sendable, Equatable {
    public var part: String
    public var entries: Int
    public var bytes: Int
}

/// Heap cost estimates of Swift's containers (the standard library's layouts on 64-bit Linux).
enum HeapCost {
    /// A native string's heap object (none for strings of 15 bytes or fewer, which are inline).
    static func string(_ s: String) -> Int {
        let n = s.utf8.count
        return n <= 15 ? 0 : malloc(32 + n + 1)
    }

    static func string(_ s: String?) -> Int { s.map { string($0) } ?? 0 }

    /// An array's heap object for `capacity` elements of `stride` bytes.
    static func array(capacity: Int, stride: Int) -> Int { capacity == 0 ? 0 : malloc(32 + capacity * stride) }

    /// A dictionary's storage: header, occupancy bitmap, keys and values.
    static func dictionary(capacity: Int, keyStride: Int, valueStride: Int) -> Int {
        guard capacity > 0 else { return 0 }
        var buckets = 1
        while buckets * 3 < capacity * 4 { buckets *= 2 }
        return malloc(64 + buckets / 8 + buckets * (keyStride + valueStride))
    }

    /// glibc's malloc: 8 bytes of header, rounded up to 16.
    static func malloc(_ n: Int) -> Int { (n + 8 + 15) / 16 * 16 }
}

extension LogIndex {
    /// Heap bytes per part: dedup, payments (states and their event seqs), segments (seq ->
    /// location).
    public func memoryByPart() -> [IndexPartMemory] {
        let dedup = dedupTable.heapBytes()
        let payments = self.payments.heapBytes()
        var segments = HeapCost.array(capacity: segmentMap.segments.capacity, stride: MemoryLayout<SegmentSummary>.stride)
        for s in segmentMap.segments { segments += HeapCost.array(capacity: s.offsets.capacity, stride: 4) }
        // Segments retention deleted whose dedup entries have not expired yet (bounded dedup).
        segments += HeapCost.array(capacity: retired.capacity, stride: MemoryLayout<RetiredSegment>.stride)
        return [
            IndexPartMemory(part: "dedup", entries: dedupTable.count, bytes: dedup),
            IndexPartMemory(part: "payments", entries: self.payments.count, bytes: payments),
            IndexPartMemory(part: "segments", entries: Int(segmentMap.lastSeq), bytes: segments),
        ]
    }
}

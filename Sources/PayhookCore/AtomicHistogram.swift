import Synchronization

/// A Prometheus-style histogram one thread observes into and another reads, without locks:
/// one relaxed atomic per bucket (the log writer's thread observes, the loop renders /metrics).
///
/// Values are integers in the histogram's own unit (nanoseconds, records); `unitScale` turns
/// them into the exported unit (seconds). Buckets are counted singly and summed at read time,
/// so a snapshot's cumulative counts never decrease from one bucket to the next.
public final class AtomicHistogram: Sendable {
    /// Buckets at most (upper bounds plus the +Inf bucket).
    public static let maxSlots = 24
    public let upperBounds: [Int]
    public let unitScale: Double
    private let slots: InlineArray<24, Atomic<Int>>
    private let sum = Atomic<Int>(0)

    /// `upperBounds`: increasing, at most `maxSlots - 1` of them.
    public init(upperBounds: [Int], unitScale: Double = 1) {
        precondition(upperBounds.count < Self.maxSlots && zip(upperBounds, upperBounds.dropFirst()).allSatisfy { $0 < $1 })
        self.upperBounds = upperBounds
        self.unitScale = unitScale
        slots = InlineArray { _ in Atomic<Int>(0) }
    }

    public func observe(_ value: Int) {
        var i = 0
        while i < upperBounds.count && value > upperBounds[i] { i += 1 }
        slots[i].add(1, ordering: .relaxed)
        sum.add(value, ordering: .relaxed)
    }

    public func snapshot() -> HistogramSnapshot {
        var cumulative: [Int] = []
        var total = 0
        for i in 0...upperBounds.count {
            total += slots[i].load(ordering: .relaxed)
            cumulative.append(total)
        }
        return HistogramSnapshot(
            upperBounds: upperBounds.map { Double($0) * unitScale }, cumulativeCounts: Array(cumulative.dropLast()), count: total,
            sum: Double(sum.load(ordering: .relaxed)) * unitScale)
    }
}

/// A histogram read at one moment: `cumulativeCounts[i]` observations were <= `upperBounds[i]`;
/// `count` includes the +Inf bucket.
public struct HistogramSnapshot: Sendable, Equatable {
    public var upperBounds: [Double]
    public var cumulativeCounts: [Int]
    public var count: Int
    public var sum: Double
}

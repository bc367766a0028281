/// Identifies a timer in a `TimerQueue`. Stays valid until `TimerQueue.release`.
public struct TimerID: Hashable, Sendable {
    public let index: Int32
}

/// Deadlines as an indexed binary min-heap: schedule, reschedule and cancel are O(log n) and
/// leave no garbage behind, so thousands of connection deadlines that move on every request
/// cost nothing when they never fire. A connection allocates one id for its lifetime and moves
/// its single deadline (header, body or idle) around.
///
/// Pure data structure: time is passed in, nothing reads a clock.
public struct TimerQueue<Payload> {
    private var heap: [Int32] = []
    private var deadlineMs: [Int64] = []
    private var position: [Int32] = []  // -1 when not scheduled
    private var payloads: [Payload?] = []
    private var free: [Int32] = []

    public init() {}

    /// Timers scheduled now.
    public var count: Int { heap.count }

    /// The earliest deadline, if any.
    public var nextDeadlineMs: Int64? { heap.first.map { deadlineMs[Int($0)] } }

    /// Allocates an id carrying `payload`, not scheduled yet.
    public mutating func allocate(_ payload: Payload) -> TimerID {
        if let index = free.popLast() {
            payloads[Int(index)] = payload
            return TimerID(index: index)
        }
        deadlineMs.append(0)
        position.append(-1)
        payloads.append(payload)
        return TimerID(index: Int32(payloads.count - 1))
    }

    /// Cancels and frees `id`; it must not be used again.
    public mutating func release(_ id: TimerID) {
        cancel(id)
        payloads[Int(id.index)] = nil
        free.append(id.index)
    }

    public func isScheduled(_ id: TimerID) -> Bool { position[Int(id.index)] >= 0 }

    public func deadline(of id: TimerID) -> Int64? { isScheduled(id) ? deadlineMs[Int(id.index)] : nil }

    /// Sets (or moves) the deadline of `id`.
    public mutating func schedule(_ id: TimerID, atMs deadline: Int64) {
        let i = Int(id.index)
        deadlineMs[i] = deadline
        if position[i] < 0 {
            heap.append(id.index)
            position[i] = Int32(heap.count - 1)
            siftUp(heap.count - 1)
        } else {
            let p = Int(position[i])
            siftUp(p)
            siftDown(Int(position[i]))
        }
    }

    /// Unschedules `id` (no-op when not scheduled).
    public mutating func cancel(_ id: TimerID) {
        let p = Int(position[Int(id.index)])
        guard p >= 0 else { return }
        let last = heap.count - 1
        swapAt(p, last)
        heap.removeLast()
        position[Int(id.index)] = -1
        if p < heap.count {
            let moved = heap[p]
            siftUp(p)
            siftDown(Int(position[Int(moved)]))
        }
    }

    /// Removes and returns the earliest timer due at `nowMs`, if any.
    public mutating func popExpired(nowMs: Int64) -> (TimerID, Payload)? {
        guard let top = heap.first, deadlineMs[Int(top)] <= nowMs else { return nil }
        let id = TimerID(index: top)
        cancel(id)
        return (id, payloads[Int(top)]!)
    }

    private func less(_ a: Int, _ b: Int) -> Bool { deadlineMs[Int(heap[a])] < deadlineMs[Int(heap[b])] }

    private mutating func swapAt(_ a: Int, _ b: Int) {
        guard a != b else { return }
        heap.swapAt(a, b)
        position[Int(heap[a])] = Int32(a)
        position[Int(heap[b])] = Int32(b)
    }

    private mutating func siftUp(_ start: Int) {
        var i = start
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(i, parent) else { return }
            swapAt(i, parent)
            i = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var smallest = i
            if l < heap.count && less(l, smallest) { smallest = l }
            if r < heap.count && less(r, smallest) { smallest = r }
            guard smallest != i else { return }
            swapAt(i, smallest)
            i = smallest
        }
    }
}

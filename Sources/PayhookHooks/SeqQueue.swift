/// A FIFO of seqs with O(1) amortized removal at the front (Array.removeFirst is O(n), and one
/// payment may hold 100,000 events behind a failure).
struct SeqQueue: Sendable {
    private var items: [UInt64] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }
    var count: Int { items.count - head }
    var first: UInt64? { isEmpty ? nil : items[head] }

    mutating func append(_ seq: UInt64) { items.append(seq) }

    mutating func popFirst() -> UInt64? {
        guard !isEmpty else { return nil }
        let seq = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: items.count <= 1024)
            head = 0
        } else if head >= 1024 && head * 2 >= items.count {
            items.removeFirst(head)  // compaction, amortized O(1) per element
            head = 0
        }
        return seq
    }
}

/// A binary min-heap of retry times (Unix ms, then seq): the next due retry in O(1), push and
/// pop in O(log n).
struct RetryHeap: Sendable {
    private var items: [(dueMs: Int64, seq: UInt64)] = []

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }
    var first: (dueMs: Int64, seq: UInt64)? { items.first }

    mutating func push(dueMs: Int64, seq: UInt64) {
        items.append((dueMs, seq))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(i, parent) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func popFirst() -> (dueMs: Int64, seq: UInt64)? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var m = i
            if l < items.count && less(l, m) { m = l }
            if r < items.count && less(r, m) { m = r }
            guard m != i else { break }
            items.swapAt(i, m)
            i = m
        }
        return top
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        (items[a].dueMs, items[a].seq) < (items[b].dueMs, items[b].seq)
    }
}

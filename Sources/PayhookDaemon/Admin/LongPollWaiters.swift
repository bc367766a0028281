/// The long polls of `GET /v1/events?after=SEQ&wait=` waiting for a durable seq past `after`.
///
/// Bounded (`capacity`, from `max_long_poll_waiters`) and kept ordered by `after`, then arrival:
/// a durable batch that brings the last seq to N satisfies exactly the waiters with `after < N`,
/// a prefix, so it takes them without looking at the others (no O(waiters) scan per batch, no
/// waking a waiter only to put it back). Whoever removes an entry (the batch, the timer, the
/// client leaving) owns it, so each waiter ends exactly once. A value: no clock, no I/O.
struct LongPollWaiters<Waiter> {
    /// Names one entry: ordered by `after`, then by arrival (`id` only grows).
    struct Ticket: Hashable, Comparable {
        let after: UInt64
        let id: UInt64

        static func < (a: Ticket, b: Ticket) -> Bool { (a.after, a.id) < (b.after, b.id) }
    }

    /// Waiters held at most.
    let capacity: Int
    private var entries: [(ticket: Ticket, waiter: Waiter)] = []
    private var nextID: UInt64 = 0

    init(capacity: Int) {
        precondition(capacity >= 1)
        self.capacity = capacity
    }

    var count: Int { entries.count }
    var isFull: Bool { entries.count >= capacity }

    /// Adds a waiter for a seq past `after`; nil when `capacity` waiters are held already.
    mutating func add(after: UInt64, _ waiter: Waiter) -> Ticket? {
        guard !isFull else { return nil }
        let ticket = Ticket(after: after, id: nextID)
        nextID += 1
        // After every entry ordered before it: the new id is the largest, so only `after` decides.
        entries.insert((ticket, waiter), at: firstIndex { $0.after > after })
        return ticket
    }

    /// Removes the entry of `ticket` and returns its waiter; nil when it is gone already.
    mutating func remove(_ ticket: Ticket) -> Waiter? {
        let i = firstIndex { !($0 < ticket) }
        guard i < entries.count, entries[i].ticket == ticket else { return nil }
        return entries.remove(at: i).waiter
    }

    /// Removes and returns the waiters that `lastSeq` satisfies (`after < lastSeq`), in order.
    mutating func takeSatisfied(lastSeq: UInt64) -> [Waiter] {
        let end = firstIndex { $0.after >= lastSeq }
        guard end > 0 else { return [] }
        let taken = entries[..<end].map(\.waiter)
        entries.removeFirst(end)
        return taken
    }

    /// The first index whose ticket satisfies `isAtOrPast` (a predicate false then true along
    /// the order), `count` when none: binary search.
    private func firstIndex(_ isAtOrPast: (Ticket) -> Bool) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if isAtOrPast(entries[mid].ticket) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}

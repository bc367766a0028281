import Testing

@testable import PayhookDaemon

/// The long-poll waiter table: bounded, ordered by `after`, a batch takes only what it satisfies.
@Suite struct LongPollWaitersTests {
    func held<T>(_ ticket: LongPollWaiters<T>.Ticket?) throws -> LongPollWaiters<T>.Ticket { try #require(ticket) }

    @Test("capacity N: N waiters are held, N+1 is refused; a removal frees a place")
    func capacity() throws {
        var w = LongPollWaiters<Int>(capacity: 3)
        var tickets: [LongPollWaiters<Int>.Ticket] = []
        for i in 0..<3 { tickets.append(try held(w.add(after: 0, i))) }
        let refused = w.add(after: 0, 3)
        #expect(w.isFull && refused == nil)
        #expect(w.remove(tickets[1]) == 1)
        let again = w.add(after: 0, 4)
        #expect(again != nil && w.count == 3)
    }

    @Test("a batch takes exactly the waiters with after < lastSeq, in after order, and leaves the others")
    func takesSatisfiedPrefix() throws {
        var w = LongPollWaiters<String>(capacity: 16)
        for (after, name) in [(5, "a5"), (0, "a0"), (2, "a2"), (3, "a3"), (1, "a1"), (2, "b2")] {
            _ = try held(w.add(after: UInt64(after), name))
        }
        #expect(w.takeSatisfied(lastSeq: 0).isEmpty)
        #expect(w.takeSatisfied(lastSeq: 3) == ["a0", "a1", "a2", "b2"])  // equal afters keep arrival order
        #expect(w.count == 2)
        #expect(w.takeSatisfied(lastSeq: 3).isEmpty, "nothing is taken twice")
        #expect(w.takeSatisfied(lastSeq: 5) == ["a3"])
        #expect(w.takeSatisfied(lastSeq: .max) == ["a5"] && w.count == 0)
    }

    @Test("a removed waiter is never taken by a batch; removing twice returns nil")
    func removeOwnsTheEntry() throws {
        var w = LongPollWaiters<Int>(capacity: 8)
        let t1 = try held(w.add(after: 1, 1))
        let t2 = try held(w.add(after: 1, 2))
        let t3 = try held(w.add(after: 1, 3))
        #expect(w.remove(t2) == 2)
        #expect(w.remove(t2) == nil)
        #expect(w.takeSatisfied(lastSeq: 2) == [1, 3])
        #expect(w.remove(t1) == nil && w.remove(t3) == nil, "a woken waiter is gone for the timer too")
    }

    @Test("many waiters at the same after: a remove finds its own among them")
    func removeAmongEquals() throws {
        var w = LongPollWaiters<Int>(capacity: 1024)
        let tickets = try (0..<1024).map { i in try held(w.add(after: 7, i)) }
        for i in stride(from: 1023, through: 0, by: -2) { #expect(w.remove(tickets[i]) == i) }
        #expect(w.takeSatisfied(lastSeq: 8) == Array(stride(from: 0, to: 1024, by: 2)))
    }
}

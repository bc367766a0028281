import PayhookPosix
import Testing

@Suite struct ServerTimerQueueTests {
    @Test("timers pop in deadline order whatever the scheduling order")
    func popsInOrder() {
        var q = TimerQueue<Int>()
        let deadlines: [Int64] = [50, 10, 40, 30, 20, 60, 5]
        for (i, d) in deadlines.enumerated() { q.schedule(q.allocate(i), atMs: d) }
        var popped: [Int64] = []
        while let (id, _) = q.popExpired(nowMs: 100) { popped.append(Int64(deadlines[Int(id.index)])) }
        #expect(popped == deadlines.sorted())
        #expect(q.count == 0)
    }

    @Test("nothing pops before its deadline")
    func notBeforeDeadline() {
        var q = TimerQueue<String>()
        let id = q.allocate("a")
        q.schedule(id, atMs: 100)
        #expect(q.popExpired(nowMs: 99) == nil)
        #expect(q.popExpired(nowMs: 100)?.1 == "a")
    }

    @Test("rescheduling moves a deadline in place: no duplicate, no garbage left behind")
    func rescheduleMoves() {
        var q = TimerQueue<Int>()
        let ids = (0..<1000).map { q.allocate($0) }
        for (i, id) in ids.enumerated() { q.schedule(id, atMs: Int64(i)) }
        for round in 1...50 { for id in ids { q.schedule(id, atMs: Int64(round * 1000) + Int64(id.index)) } }
        #expect(q.count == 1000)
        #expect(q.nextDeadlineMs == 50_000)
        #expect(q.popExpired(nowMs: 49_999) == nil)
    }

    @Test("cancel removes a timer from anywhere in the heap and keeps the order of the rest")
    func cancelKeepsOrder() {
        var q = TimerQueue<Int>()
        let ids = (0..<200).map { q.allocate($0) }
        for id in ids { q.schedule(id, atMs: Int64((Int(id.index) * 7919) % 200)) }
        for id in ids where id.index % 3 == 0 { q.cancel(id) }
        var last: Int64 = -1
        var count = 0
        while let (id, _) = q.popExpired(nowMs: 1000) {
            let d = Int64((Int(id.index) * 7919) % 200)
            #expect(id.index % 3 != 0)
            #expect(d >= last)
            last = d
            count += 1
        }
        #expect(count == 200 - 67)
    }

    @Test("released ids are reused, so a long-running loop does not grow")
    func releaseReuses() {
        var q = TimerQueue<Int>()
        let a = q.allocate(1)
        q.schedule(a, atMs: 5)
        q.release(a)
        #expect(q.count == 0)
        let b = q.allocate(2)
        #expect(b.index == a.index)
        #expect(!q.isScheduled(b))
    }
}

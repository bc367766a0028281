import CLinuxShim
import Glibc
import PayhookPosix
import Synchronization
import TestSupport
import Testing

/// Counts readiness events for one fd and reads them away.
final class CountingHandler: EventHandler {
    var count = 0
    let fd: Int32
    var onEvent: (() -> Void)?
    init(fd: Int32) { self.fd = fd }
    func handle(_ events: IOEvents, loop: EventLoop) {
        count += 1
        var b = [UInt8](repeating: 0, count: 64)
        _ = b.withUnsafeMutableBytes { try? IO.read(fd, into: $0) }
        onEvent?()
    }
}

func makePipe() -> (read: Int32, write: Int32) {
    var fds: [Int32] = [0, 0]
    #expect(cshim_pipe2(&fds) == 0)
    return (fds[0], fds[1])
}

@Suite struct ServerEventLoopTests {
    @Test("a registered fd's handler runs when it becomes readable")
    func dispatchesReadable() throws {
        let loop = try EventLoop(capacity: 4)
        let p = makePipe()
        defer {
            IO.close(p.read)
            IO.close(p.write)
        }
        let h = CountingHandler(fd: p.read)
        h.onEvent = { loop.stop() }
        _ = try loop.register(fd: p.read, interest: .readable, handler: h)
        _ = [UInt8(1)].withUnsafeBytes { try? IO.write(p.write, from: $0) }
        try loop.run()
        #expect(h.count == 1)
    }

    @Test("an event for a deregistered slot reused by another fd is dropped (generation check)")
    func staleEventsDropped() throws {
        let loop = try EventLoop(capacity: 1)
        let a = makePipe()
        let b = makePipe()
        defer { for fd in [a.read, a.write, b.read, b.write] { IO.close(fd) } }
        let ha = CountingHandler(fd: a.read)
        let hb = CountingHandler(fd: b.read)
        let regA = try loop.register(fd: a.read, interest: .readable, handler: ha)
        loop.deregister(regA)
        let regB = try loop.register(fd: b.read, interest: .readable, handler: hb)
        #expect(regB.slot == regA.slot)
        #expect(regB.generation != regA.generation)
        // A stale modify through the old registration must not touch the new fd.
        try loop.modify(regA, interest: [])
        _ = [UInt8(1)].withUnsafeBytes { try? IO.write(b.write, from: $0) }
        hb.onEvent = { loop.stop() }
        try loop.run()
        #expect(hb.count == 1 && ha.count == 0)
    }

    @Test("the fixed table refuses registration N+1 with tableFull")
    func tableFull() throws {
        let loop = try EventLoop(capacity: 2)
        let p = makePipe()
        let q = makePipe()
        let r = makePipe()
        defer { for fd in [p.read, p.write, q.read, q.write, r.read, r.write] { IO.close(fd) } }
        _ = try loop.register(fd: p.read, interest: .readable, handler: CountingHandler(fd: p.read))
        _ = try loop.register(fd: q.read, interest: .readable, handler: CountingHandler(fd: q.read))
        #expect(throws: EventLoopError.tableFull(capacity: 2)) {
            _ = try loop.register(fd: r.read, interest: .readable, handler: CountingHandler(fd: r.read))
        }
    }

    @Test("timers fire in deadline order and drive the loop's wait")
    func timersFire() throws {
        var now: Int64 = 0
        let loop = try EventLoop(capacity: 1, clock: { now })
        var fired: [String] = []
        let late = loop.makeTimer {
            fired.append("late")
            loop.stop()
        }
        let early = loop.makeTimer {
            fired.append("early")
            now = 20
        }
        loop.schedule(late, afterMs: 20)
        loop.schedule(early, afterMs: 0)
        try loop.run()
        #expect(fired == ["early", "late"])
    }

    @Test("a cancelled timer never fires")
    func cancelledTimer() throws {
        let loop = try EventLoop(capacity: 1)
        var fired = false
        let t = loop.makeTimer { fired = true }
        let stop = loop.makeTimer { loop.stop() }
        loop.schedule(t, afterMs: 1)
        loop.schedule(stop, afterMs: 5)
        loop.cancel(t)
        try loop.run()
        #expect(!fired)
    }

    @Test("notify from another thread runs the notifier's action on the loop, coalesced")
    func notifierWakesLoop() throws {
        let loop = try EventLoop(capacity: 1)
        var runs = 0
        let notifier = loop.makeNotifier {
            runs += 1
            loop.stop()
        }
        let thread = TestThread { for _ in 0..<100 { notifier.notify() } }
        try loop.run()
        thread.join()
        #expect(runs >= 1 && runs <= 100)
    }

    @Test("closures executed from other threads run on the loop in submission order")
    func executorOrder() throws {
        let loop = try EventLoop(capacity: 1)
        let seen = Mutex<[Int]>([])
        let executor = loop.executor
        let done = loop.makeNotifier { loop.stop() }
        let thread = TestThread {
            for i in 0..<50 { executor.execute { seen.withLock { $0.append(i) } } }
            executor.execute { done.notify() }
        }
        try loop.run()
        thread.join()
        #expect(seen.withLock { $0 } == Array(0..<50))
    }
}

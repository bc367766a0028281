import Glibc
import PayhookPosix
import Synchronization
import Testing

@Suite struct QueueWorkerTests {
    @Test("jobs are processed in order; shutdown finishes the queue, then one final empty call")
    func orderAndFinal() throws {
        let seen = Mutex<[String]>([])
        let worker = try QueueWorker<Int>(name: "test-queue") { jobs, isFinal in
            seen.withLock { log in
                log += jobs.map(String.init)
                if isFinal { log.append("final:\(jobs.count)") }
            }
        }
        for n in 1...100 { worker.submit(n) }
        worker.shutdown()
        let log = seen.withLock { $0 }
        #expect(log == (1...100).map(String.init) + ["final:0"])
    }
}

@Suite struct QueueWorkerWakeTests {
    @Test("wake(afterMs:) brings one more call with an empty batch when nothing is submitted; none without it")
    func wakeWithoutJobs() throws {
        let calls = Mutex<[Int]>([])
        let holder = Mutex<QueueWorker<Int>?>(nil)
        let worker = try QueueWorker<Int>(name: "test-wake") { jobs, isFinal in
            if isFinal { return }
            let n = calls.withLock { log -> Int in
                log.append(jobs.count)
                return log.count
            }
            // Only the first batch asks to be woken again.
            if n == 1 { holder.withLock { $0 }?.wake(afterMs: 30) }
        }
        holder.withLock { $0 = worker }
        worker.submit(7)
        for _ in 0..<200 where calls.withLock({ $0.count }) < 2 { usleep(5_000) }
        #expect(calls.withLock { $0 } == [1, 0], "the wake-up is a call with nothing queued")
        usleep(100_000)
        #expect(calls.withLock { $0 } == [1, 0], "no wake-up was asked for after the second call")
        worker.shutdown()
        holder.withLock { $0 = nil }
    }
}

@Suite struct QueueWorkerBoundTests {
    @Test("a bound of N entries takes N jobs and refuses N+1; once processed there is room again")
    func entries() throws {
        let release = Atomic<Bool>(false)
        let processed = Atomic<Int>(0)
        let worker = try QueueWorker<Int>(name: "test-bound", bound: QueueBound(maxEntries: 3)) { jobs, _ in
            while !release.load(ordering: .acquiring) { usleep(1_000) }
            processed.add(jobs.count, ordering: .relaxed)
        }
        let taken = (1...4).map { worker.submit($0) }
        #expect(taken == [true, true, true, false])
        release.store(true, ordering: .releasing)
        for _ in 0..<1000 where processed.load(ordering: .relaxed) < 3 { usleep(1_000) }
        #expect(worker.submit(5))
        worker.shutdown()
        #expect(processed.load(ordering: .relaxed) == 4)
        #expect(!worker.submit(6), "a bounded worker refuses jobs once shutdown began")
    }

    @Test("a cost bound of N takes jobs costing N in all and refuses one more unit")
    func cost() throws {
        let size = 100
        for (maxCost, expected) in [(2 * size, [true, true]), (2 * size - 1, [true, false])] {
            let release = Atomic<Bool>(false)
            let worker = try QueueWorker<Int>(name: "test-bound", bound: QueueBound(maxEntries: 10, maxCost: maxCost) { $0 }) { _, _ in
                while !release.load(ordering: .acquiring) { usleep(1_000) }
            }
            #expect([size, size].map { worker.submit($0) } == expected, "maxCost \(maxCost)")
            release.store(true, ordering: .releasing)
            worker.shutdown()
        }
    }
}

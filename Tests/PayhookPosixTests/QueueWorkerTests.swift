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

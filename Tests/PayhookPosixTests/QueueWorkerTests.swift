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

import Synchronization
import Testing

@testable import PayhookNATS

@Suite struct AckBoxTests {
    /// The stack address of a local in a frame called from the handler: equal at every call when
    /// the handler is reached through the same frames.
    @inline(never) static func stackMarker() -> UInt {
        var local = 0
        return withUnsafeMutablePointer(to: &local) { UInt(bitPattern: $0) }
    }

    /// Every JetStream ack goes through `deliver`. It once read the handler out of the Mutex
    /// through an `inout` of a generic value, which reabstracted the closure and wrote one more
    /// thunk layer back per call: the 10,000th ack ran 20,000 thunk frames deep, and the NATS
    /// hook's drain rate fell with each message delivered. The handler must be reached through
    /// the same frames at the first and the 1,000th ack (1,000 keeps the old depth far below a
    /// test thread's stack).
    @Test func deliverDoesNotDeepenWithEachAck() {
        let seen = Mutex<(count: Int, first: UInt, last: UInt)>((0, 0, 0))
        let box = AckBox { token, _ in
            let depth = Self.stackMarker()
            seen.withLock { s in
                if s.count == 0 { s.first = depth }
                s.last = depth
                s.count += 1
            }
            _ = token
        }
        for token in 1...1000 { box.deliver(UInt64(token), .success(UInt64(token))) }
        let s = seen.withLock { $0 }
        #expect(s.count == 1000)
        // The stack grows down: a deeper call has a lower address.
        #expect(s.first >= s.last && s.first - s.last < 512, "handler \(s.first - s.last) bytes deeper at the 1,000th ack")
    }

    @Test func cancelStopsDelivery() {
        let count = Atomic<Int>(0)
        let box = AckBox { _, _ in count.add(1, ordering: .relaxed) }
        box.deliver(1, .success(1))
        box.cancel()
        box.deliver(2, .success(2))
        #expect(count.load(ordering: .relaxed) == 1)
    }
}

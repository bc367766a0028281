import Glibc
import PayhookCore
import Testing

@testable import PayhookHooks

@Suite struct ParkedListTests {
    func parked(_ seq: UInt64, json: String = "{}") -> ParkedEvent {
        ParkedEvent(
            hook: "orders", record: ParkRecord(seq: seq, eventID: "shop:p:\(seq)", attempts: 7, firstAttemptMs: 10, lastAttemptMs: 20),
            lastError: "HTTP 500", eventJSON: Array(json.utf8))
    }

    @Test("the parked list round-trips through its file; a flipped bit is damage, a missing file is empty")
    func fileRoundTrip() throws {
        let dir = "/tmp/payhook-parked-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        mkdir(dir, 0o700)
        let path = ParkedList.path(directory: dir, hook: "orders")
        #expect(try ParkedList.read(path: path) == ParkedList())
        var list = ParkedList([parked(9), parked(3)])
        list.insert(parked(5))
        let removed = list.remove(9)
        let again = list.remove(9)
        #expect(removed && !again)
        try list.write(path: path)
        let back = try ParkedList.read(path: path)
        #expect(back == list)
        #expect(back.seqs == [3, 5])
        var bytes = list.encode()
        bytes[20] ^= 1
        #expect(throws: ParkedList.DecodeError.badCRC) { try ParkedList.decode(bytes) }
    }

    @Test("a parked event's summary comes back from the event JSON its park record kept")
    func summaryFromJSON() {
        let json =
            #"{"schema":"payhook.event/v1","id":"shop:p1:paid","seq":4,"source":"shop","kind":"payin","payment_id":"p1","status":"succeeded","quarantined":null}"#
        let e = HookEvent(seq: 4, eventJSON: Array(json.utf8))
        #expect(e == HookEvent(seq: 4, id: "shop:p1:paid", source: "shop", paymentID: "p1", status: .succeeded, kind: "payin"))
        #expect(HookEvent(seq: 4, eventJSON: Array("{".utf8)) == nil)
    }

    @Test("an injected event queues behind its payment, is sent once, and stays out of the cursor")
    func inject() {
        var d = DeliveryState(filter: HookFilter(), cursor: HookCursor(scanSeq: 1))
        _ = d.offerAll([event(1, "a"), event(2, "b")])
        _ = d.finish(1, .delivered)
        let ahead = d.inject(event(5, "a"), nowMs: 0)
        #expect(ahead.isEmpty, "not below scanSeq: the scan will offer it")
        let busy = d.inject(event(2, "b"), nowMs: 0)
        #expect(busy.isEmpty, "still in flight")
        let again = d.inject(event(1, "a"), nowMs: 0)
        #expect(again.sent == [1])
        #expect(d.isQueued(1))
        _ = d.offer(event(3, "a"), nowMs: 0)
        #expect(d.cursor.pending.map(\.seq) == [2, 3], "the injected seq is not pending in the cursor")
        let next = d.finish(1, .delivered)
        #expect(next.sent == [3], "a's next event follows the retried one")
        #expect(!d.isQueued(1))
    }
}

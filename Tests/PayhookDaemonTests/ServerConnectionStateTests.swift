import Testing

@testable import PayhookDaemon

private typealias Action = ConnectionState.Action

private func limits() -> ConnectionLimits {
    var l = ConnectionLimits()
    l.headerTimeoutMs = 100
    l.bodyTimeoutMs = 200
    l.idleTimeoutMs = 300
    l.maxPipelinedRequests = 3
    return l
}

private func text(_ actions: ConnectionState.Actions) -> String {
    actions.compactMap { action -> String? in
        switch action {
        case .write(let b): return String(decoding: b, as: UTF8.self)
        case .send(let r, let head, let close):
            return String(decoding: ResponseEncoder.encode(r, headRequest: head, close: close), as: UTF8.self)
        default: return nil
        }
    }.joined()
}

/// Runs a bodiless request through head + complete; returns its id.
private func request(_ s: inout ConnectionState, keepAlive: Bool = true) -> UInt64 {
    _ = s.bytesArrived()
    let (id, _) = s.headReceived(isHead: false, hasBody: false, expectsContinue: false, keepAlive: keepAlive)
    _ = s.requestComplete()
    return id
}

@Suite struct ServerConnectionStateTests {
    @Test("a new connection waits headerTimeoutMs for its first byte and then closes silently")
    func firstByteTimeout() {
        var s = ConnectionState(limits: limits())
        #expect(s.start() == [.deadline(afterMs: 100)])
        #expect(s.deadlinePassed() == [.close])
    }

    @Test("a partial head past the header timeout gets 408 with Connection: close, then close")
    func headerTimeout408() {
        var s = ConnectionState(limits: limits())
        _ = s.start()
        _ = s.bytesArrived()
        let actions = s.deadlinePassed()
        #expect(text(actions).hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        #expect(text(actions).contains("Connection: close\r\n"))
        #expect(actions.last == .close)
    }

    @Test("a body that stalls past bodyTimeoutMs gets 408 and close")
    func bodyTimeout408() {
        var s = ConnectionState(limits: limits())
        _ = s.bytesArrived()
        let (_, a) = s.headReceived(isHead: false, hasBody: true, expectsContinue: false, keepAlive: true)
        #expect(a.contains(.deadline(afterMs: 200)))
        let actions = s.deadlinePassed()
        #expect(text(actions).hasPrefix("HTTP/1.1 408"))
        #expect(actions.last == .close)
    }

    @Test("keep-alive: after an answer the idle deadline runs and closes silently")
    func keepAliveIdle() {
        var s = ConnectionState(limits: limits())
        let id = request(&s)
        let actions = s.answered(id, .json(200, "{}"))
        #expect(text(actions).hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(!text(actions).contains("Connection: close"))
        #expect(actions.contains(.deadline(afterMs: 300)))
        #expect(s.deadlinePassed() == [.close])
    }

    @Test("pipelined answers leave in request order even when answered out of order")
    func pipelineOrder() {
        var s = ConnectionState(limits: limits())
        let a = request(&s)
        let b = request(&s)
        let c = request(&s)
        #expect(text(s.answered(c, .text(200, "c"))).isEmpty)
        #expect(text(s.answered(b, .text(200, "b"))).isEmpty)
        let out = text(s.answered(a, .text(200, "a")))
        let bodies = out.split(separator: "HTTP/1.1 ").map { $0.last.map(String.init) ?? "" }
        #expect(bodies == ["a", "b", "c"])
    }

    @Test("reading pauses at maxPipelinedRequests unanswered requests and resumes below it")
    func pipelineLimit() {
        var s = ConnectionState(limits: limits())
        let a = request(&s)
        _ = s.bytesArrived()
        _ = s.headReceived(isHead: false, hasBody: false, expectsContinue: false, keepAlive: true)
        #expect(!s.requestComplete().contains(.pauseReading))  // N-1 = 2 unanswered: still reading
        _ = s.bytesArrived()
        let (_, _) = s.headReceived(isHead: false, hasBody: false, expectsContinue: false, keepAlive: true)
        #expect(s.requestComplete().contains(.pauseReading))
        #expect(s.answered(a, .text(200, "a")).contains(.resumeReading))
    }

    @Test("Connection: close answers with Connection: close and closes after the answer")
    func closeRequested() {
        var s = ConnectionState(limits: limits())
        let id = request(&s, keepAlive: false)
        let actions = s.answered(id, .text(200, "x"))
        #expect(text(actions).contains("Connection: close\r\n"))
        #expect(actions.last == .close)
    }

    @Test("a parse error is answered after the earlier pending answers, then the connection closes")
    func parseErrorAfterPending() {
        var s = ConnectionState(limits: limits())
        let id = request(&s)
        _ = s.bytesArrived()
        #expect(text(s.parseFailed(status: 400, reason: "bad")).isEmpty)
        let actions = s.answered(id, .text(200, "first"))
        let out = text(actions)
        #expect(out.hasPrefix("HTTP/1.1 200"))
        #expect(out.contains("HTTP/1.1 400 Bad Request"))
        #expect(actions.last == .close)
    }

    @Test("100-continue goes out only when the request is first in line")
    func continueInOrder() {
        var s = ConnectionState(limits: limits())
        let first = request(&s)
        _ = s.bytesArrived()
        let (_, a) = s.headReceived(isHead: false, hasBody: true, expectsContinue: true, keepAlive: true)
        #expect(text(a).isEmpty)
        let out = text(s.answered(first, .text(200, "1")))
        #expect(out.hasSuffix("HTTP/1.1 100 Continue\r\n\r\n"))
    }

    @Test("HEAD answers carry Content-Length but no body")
    func headNoBody() {
        var s = ConnectionState(limits: limits())
        _ = s.bytesArrived()
        let (id, _) = s.headReceived(isHead: true, hasBody: false, expectsContinue: false, keepAlive: true)
        _ = s.requestComplete()
        let out = text(s.answered(id, .text(200, "hello")))
        #expect(out.contains("Content-Length: 5\r\n"))
        #expect(out.hasSuffix("\r\n\r\n"))
    }

    @Test("drain closes an idle connection at once and a busy one after its answer")
    func drain() {
        var idle = ConnectionState(limits: limits())
        _ = idle.start()
        #expect(idle.drain() == [.close])
        var busy = ConnectionState(limits: limits())
        let id = request(&busy)
        #expect(!busy.drain().contains(.close))
        let actions = busy.answered(id, .text(200, "x"))
        #expect(text(actions).contains("Connection: close"))
        #expect(actions.last == .close)
    }

    @Test("peer half-close: reading stops, complete requests are still answered, then close")
    func peerClosed() {
        var s = ConnectionState(limits: limits())
        let id = request(&s)
        let actions = s.peerClosed()
        #expect(!actions.contains(.close) && actions.contains(.pauseReading))
        #expect(s.answered(id, .text(200, "x")).last == .close)
    }

    @Test("actions keep their order past the three held inline, through + and +=")
    func actionsSpill() {
        var a: ConnectionState.Actions = [.pauseReading, .deadline(afterMs: 1)]
        a += [.resumeReading, .deadline(afterMs: nil)]
        let b = a + ConnectionState.Actions(.close)
        #expect(b.count == 5)
        #expect(Array(b) == [.pauseReading, .deadline(afterMs: 1), .resumeReading, .deadline(afterMs: nil), .close])
        #expect(b.last == .close && b != a && a == [.pauseReading, .deadline(afterMs: 1), .resumeReading, .deadline(afterMs: nil)])
    }

    @Test("pipelined answers flushed together keep request order past three actions")
    func manyAnswersInOneStep() {
        var s = ConnectionState(limits: limits())
        let ids = (0..<3).map { _ in request(&s) }
        for id in ids.dropFirst() { _ = s.answered(id, .text(200, "later \(id)")) }
        let actions = s.answered(ids[0], .text(200, "first"))
        let out = text(actions)
        let order = ["first", "later \(ids[1])", "later \(ids[2])"].map { out.firstRange(of: $0)?.lowerBound }
        #expect(order.allSatisfy { $0 != nil } && order == order.sorted { $0! < $1! })
        #expect(actions.contains(.resumeReading) && actions.contains(.deadline(afterMs: 300)))
    }

    @Test("answerAtOnce on an idle keep-alive connection: the answer, then the idle deadline")
    func answerAtOnceIdle() {
        var s = ConnectionState(limits: limits())
        _ = s.bytesArrived()
        let actions = s.answerAtOnce(isHead: false, keepAlive: true, .json(200, "{}"))
        #expect(text(actions).hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(actions.last == .deadline(afterMs: 300))
        #expect(s.unansweredCount == 0 && s.reading == .idle)
        // The next request gets the next id: the answer took one.
        let id = request(&s)
        #expect(id == 1)
        #expect(s.deadlinePassed() == [])
    }

    @Test("answerAtOnce behind an unanswered request waits for it, and both leave in order")
    func answerAtOnceInOrder() {
        var s = ConnectionState(limits: limits())
        let first = request(&s)
        _ = s.bytesArrived()
        #expect(text(s.answerAtOnce(isHead: false, keepAlive: true, .json(200, #"{"n":2}"#))) == "")
        let actions = s.answered(first, .json(200, #"{"n":1}"#))
        let out = text(actions)
        #expect(out.firstRange(of: #"{"n":1}"#)!.lowerBound < out.firstRange(of: #"{"n":2}"#)!.lowerBound)
        #expect(s.unansweredCount == 0)
    }

    @Test("answerAtOnce of a Connection: close request ends the connection after its answer")
    func answerAtOnceClose() {
        var s = ConnectionState(limits: limits())
        _ = s.bytesArrived()
        let actions = s.answerAtOnce(isHead: true, keepAlive: false, .json(200, "{}"))
        #expect(text(actions).contains("Connection: close\r\n"))
        #expect(!text(actions).hasSuffix("{}"))
        #expect(actions.last == .close)
        #expect(s.isClosed)
    }
}

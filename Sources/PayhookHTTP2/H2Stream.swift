/// One client stream while the session tracks it (from its HEADERS to its close).
///
/// A class, not a struct in the session's dictionary: libnghttp2 calls back once per header
/// field and per DATA chunk, and a struct was copied out of the dictionary and back (with its
/// strings and arrays retained and released) on every one of those calls.
final class H2Stream {
    var head = H2RequestHead()
    var headerBytes = 0
    var headersTooLarge = false
    var headComplete = false
    var body: [UInt8] = []
    /// The declared `content-length`, to size `body` once (within the body limit).
    var declaredBodyBytes: Int?
    /// Over the limit or answered early: the rest of the body is dropped.
    var discarding = false
    var ended = false
    /// The HEADERS frame of the request carried END_STREAM: a request without a body.
    var endedWithHead = false
    /// When the head began (loop clock), to time out a header block left open.
    let startedAtMs: Int64
    /// The answer's body while its DATA frames leave, and how much of it left already.
    var answer: [UInt8] = []
    var answerOffset = 0

    init(startedAtMs: Int64) { self.startedAtMs = startedAtMs }
}

extension H2Session {
    /// The stream `id`, if tracked. Callbacks for one frame ask for the same stream again and
    /// again (each field of a header block, each chunk): the last one found is kept at hand.
    func stream(_ id: Int32) -> H2Stream? {
        if id == lastStreamID, let last = lastStream { return last }
        let found = streams[id]
        lastStreamID = id
        lastStream = found
        return found
    }

    /// Starts tracking a stream whose HEADERS began.
    func open(_ id: Int32) {
        if let old = streams[id], !old.headComplete { incompleteHeads -= 1 }
        let stream = H2Stream(startedAtMs: nowMs)
        streams[id] = stream
        incompleteHeads += 1
        lastStreamID = id
        lastStream = stream
    }

    /// Stops tracking a closed stream; returns it.
    func forget(_ id: Int32) -> H2Stream? {
        guard let stream = streams.removeValue(forKey: id) else { return nil }
        if !stream.headComplete { incompleteHeads -= 1 }
        if lastStreamID == id { lastStream = nil }
        return stream
    }
}

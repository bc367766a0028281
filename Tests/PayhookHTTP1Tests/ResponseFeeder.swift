import PayhookHTTP1

/// What a whole answer produced: the final responses, then how it ended.
struct ResponseTranscript: Equatable {
    var responses: [HTTP1Response] = []
    var error: HTTP1ResponseError? = nil
    /// The event of `finish()` when the input ended with the peer's close.
    var atClose: HTTP1ResponseEvent? = nil
}

/// Feeds an answer to a response parser in the given pieces, as a client reads it.
enum ResponseFeeder {
    static func run(_ input: [UInt8], pieces: [Range<Int>], limits: HTTP1ResponseLimits, close: Bool) -> ResponseTranscript {
        var parser = HTTP1ResponseParser(limits: limits)
        var t = ResponseTranscript()
        for piece in pieces {
            var rest = input[piece]
            feeding: while true {
                let result = rest.withUnsafeBytes { parser.parse($0) }
                precondition(result.consumed >= 0 && result.consumed <= rest.count, "consumed out of range")
                switch result.event {
                case .needMore:
                    precondition(result.consumed == rest.count, "needMore leaves bytes unused")
                    break feeding
                case .complete(let response):
                    t.responses.append(response)
                    rest = rest.dropFirst(result.consumed)
                    if rest.isEmpty { break feeding }
                case .error(let error):
                    t.error = error
                    return t
                }
            }
        }
        if close { t.atClose = parser.finish() }
        return t
    }

    /// The transcript of the whole input, and the label of every feeding (byte by byte, split
    /// in two at every offset) whose transcript differs from it.
    static func allWays(
        _ input: [UInt8], limits: HTTP1ResponseLimits = HTTP1ResponseLimits(), close: Bool = false
    ) -> (whole: ResponseTranscript, mismatches: [String]) {
        let reference = run(input, pieces: [0..<input.count], limits: limits, close: close)
        var mismatches: [String] = []
        let bytewise = run(input, pieces: (0..<input.count).map { $0..<($0 + 1) }, limits: limits, close: close)
        if bytewise != reference { mismatches.append("byte by byte: \(bytewise)") }
        for cut in 0...input.count {
            let split = run(input, pieces: [0..<cut, cut..<input.count], limits: limits, close: close)
            if split != reference { mismatches.append("split at \(cut): \(split)") }
        }
        return (reference, mismatches)
    }
}

func response(_ status: Int, body: String = "", keepAlive: Bool = true, retryAfter: HTTP1RetryAfter? = nil, minor: Int = 1) -> HTTP1Response {
    var r = HTTP1Response()
    r.status = status
    r.minorVersion = minor
    r.keepAlive = keepAlive
    r.retryAfter = retryAfter
    r.body = Array(body.utf8)
    r.bodyBytes = UInt64(body.utf8.count)
    return r
}

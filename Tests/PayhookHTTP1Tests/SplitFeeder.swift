import PayhookHTTP1

/// One request as a server would copy it out of the parser.
struct ParsedRequest: Equatable, CustomStringConvertible {
    var method = ""
    var methodKind = HTTP1Method.other
    var target = ""
    var path = ""
    var query: String? = nil
    var form = HTTP1TargetForm.origin
    var version = HTTP1Version.http11
    var host: String? = nil
    var contentType: String? = nil
    var fields: [[String]] = []
    var framing = HTTP1BodyFraming.none
    var keepAlive = true
    var expectsContinue = false
    var headLength = 0
    var body: [UInt8] = []

    var bodyText: String { String(decoding: body, as: UTF8.self) }
    var description: String { "\(method) \(target) \(version) \(fields) \(framing) body=\(bodyText.debugDescription)" }
}

/// What a whole conversation produced: the requests completed, the error that stopped it, and
/// what was left over (an incomplete request).
struct Transcript: Equatable {
    var requests: [ParsedRequest] = []
    var error: HTTP1ParseError? = nil
    /// A head was returned but its message did not end.
    var midMessage = false
    /// Bytes received but not consumed when the input ran out.
    var leftover = 0
}

/// Feeds requests to a parser the way the server does: one buffer of unconsumed bytes, bytes
/// appended as they "arrive" in the given pieces, consumed bytes dropped after each event.
enum SplitFeeder {
    static func run(
        _ input: [UInt8], pieces: [Range<Int>], limits: HTTP1Limits = HTTP1Limits(),
        leniencies: HTTP1Leniencies = []
    ) -> Transcript {
        var parser = HTTP1RequestParser(limits: limits, leniencies: leniencies)
        var buffer: [UInt8] = []
        var transcript = Transcript()
        var current: ParsedRequest? = nil
        for piece in pieces {
            buffer.append(contentsOf: input[piece])
            feeding: while true {
                let result = buffer.withUnsafeBytes { parser.parse($0) }
                precondition(result.consumed >= 0 && result.consumed <= buffer.count, "consumed out of range")
                switch result.event {
                case .needMore:
                    buffer.removeFirst(result.consumed)
                    transcript.leftover = buffer.count
                    transcript.midMessage = current != nil
                    break feeding
                case .head:
                    current = buffer.withUnsafeBytes { materialize(parser, $0) }
                case .body(let range):
                    precondition(range.upperBound <= result.consumed, "body span beyond consumed bytes")
                    current?.body.append(contentsOf: buffer[range])
                case .end:
                    transcript.requests.append(current!)
                    current = nil
                case .error(let error):
                    transcript.error = error
                    transcript.midMessage = current != nil
                    transcript.leftover = 0  // the connection closes: what is left does not matter
                    return transcript
                }
                buffer.removeFirst(result.consumed)
            }
        }
        transcript.leftover = buffer.count
        transcript.midMessage = current != nil
        return transcript
    }

    static func materialize(_ parser: HTTP1RequestParser, _ bytes: UnsafeRawBufferPointer) -> ParsedRequest {
        let head = parser.head
        var r = ParsedRequest()
        r.method = HTTP1.string(head.methodBytes, in: bytes)
        r.methodKind = head.method
        r.target = HTTP1.string(head.target, in: bytes)
        r.path = HTTP1.string(head.path, in: bytes)
        r.query = head.query.map { HTTP1.string($0, in: bytes) }
        r.form = head.targetForm
        r.version = head.version
        r.host = head.host.map { HTTP1.string($0, in: bytes) }
        r.contentType = head.contentType.map { HTTP1.string($0, in: bytes) }
        r.fields = parser.fields.map { [HTTP1.string($0.name, in: bytes), HTTP1.string($0.value, in: bytes)] }
        r.framing = head.framing
        r.keepAlive = head.keepAlive
        r.expectsContinue = head.expectsContinue
        r.headLength = head.length
        return r
    }

    /// The input whole.
    static func whole(_ input: [UInt8], limits: HTTP1Limits = HTTP1Limits(), leniencies: HTTP1Leniencies = []) -> Transcript {
        run(input, pieces: [0..<input.count], limits: limits, leniencies: leniencies)
    }

    /// Every way the input is fed in the tests: whole, byte by byte, and cut in two at every
    /// offset. Returns the whole transcript and the label of every feeding that differs from it.
    static func allWays(
        _ input: [UInt8], limits: HTTP1Limits = HTTP1Limits(), leniencies: HTTP1Leniencies = []
    ) -> (whole: Transcript, mismatches: [String]) {
        let reference = whole(input, limits: limits, leniencies: leniencies)
        var mismatches: [String] = []
        let bytewise = run(input, pieces: (0..<input.count).map { $0..<($0 + 1) }, limits: limits, leniencies: leniencies)
        if bytewise != reference { mismatches.append("byte by byte: \(String(describing: bytewise).prefix(300))") }
        for cut in 0...input.count {
            let split = run(input, pieces: [0..<cut, cut..<input.count], limits: limits, leniencies: leniencies)
            if split != reference { mismatches.append("split at \(cut): \(String(describing: split).prefix(300))") }
        }
        return (reference, mismatches)
    }
}

/// Request bytes from text written with Swift escapes ("\r\n").
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

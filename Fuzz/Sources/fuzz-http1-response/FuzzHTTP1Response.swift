// libFuzzer target for PayhookHTTP1's response parser (the answers of hook receivers).
//
// Input: one configuration byte, then answer bytes. Bit 0 selects tiny limits (so every limit
// is reached), bit 1 ends the input with the peer's close (`finish()`). The bytes are fed whole,
// cut in two at a point derived from the input, and (for short inputs) byte by byte.
// Invariants: no crash or trap, `consumed` never exceeds the bytes given, `.needMore` uses every
// byte, the kept body never exceeds its limit, and every feeding yields the same transcript.
import PayhookHTTP1

struct Transcript: Equatable {
    var responses: [HTTP1Response] = []
    var end: HTTP1ResponseEvent? = nil
}

func feed(_ input: ArraySlice<UInt8>, cuts: [Int], limits: HTTP1ResponseLimits, close: Bool) -> Transcript {
    var parser = HTTP1ResponseParser(limits: limits)
    var t = Transcript()
    var start = input.startIndex
    for cut in cuts + [input.endIndex] where cut >= start {
        var rest = input[start..<cut]
        start = cut
        var steps = 0
        feeding: while true {
            steps += 1
            precondition(steps <= rest.count + 2, "parser does not progress")
            let result = rest.withUnsafeBytes { parser.parse($0) }
            precondition(result.consumed >= 0 && result.consumed <= rest.count, "consumed out of range")
            switch result.event {
            case .needMore:
                precondition(result.consumed == rest.count, "needMore left bytes")
                break feeding
            case .complete(let r):
                precondition(r.body.count <= limits.maxKeptBodyBytes && UInt64(r.body.count) <= r.bodyBytes, "kept body")
                precondition((200...599).contains(r.status), "final status")
                t.responses.append(r)
                rest = rest.dropFirst(result.consumed)
                if rest.isEmpty { break feeding }
            case .error:
                t.end = result.event
                return t
            }
        }
    }
    if close { t.end = parser.finish() }
    return t
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let config = data[0]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))[...]
    let limits =
        config & 1 == 0
        ? HTTP1ResponseLimits()
        : HTTP1ResponseLimits(
            maxStatusLineBytes: 20, maxHeaderBytes: 40, maxHeaderCount: 3, maxKeptBodyBytes: 4, maxInterimResponses: 1,
            maxChunkExtensionBytes: 3, maxTrailerBytes: 10)
    let close = config & 2 != 0
    let whole = feed(bytes, cuts: [], limits: limits, close: close)
    let cut = bytes.startIndex + (bytes.isEmpty ? 0 : Int(config >> 2) % bytes.count)
    precondition(feed(bytes, cuts: [cut], limits: limits, close: close) == whole, "split feeding differs")
    if bytes.count <= 512 {
        let each = Array(bytes.indices.dropFirst())
        precondition(feed(bytes, cuts: each, limits: limits, close: close) == whole, "byte-by-byte feeding differs")
    }
    return 0
}

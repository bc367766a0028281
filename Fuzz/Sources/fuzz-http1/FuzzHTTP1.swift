// libFuzzer target for PayhookHTTP1's request parser.
//
// Input: one configuration byte, then request bytes. Bit 0 of the configuration selects tiny
// limits (so every limit is reached), bit 1 turns every leniency on. The bytes are fed three ways:
// whole, cut in two at a point derived from the input, and (for short inputs) byte by byte, the
// way the server feeds them (one buffer, consumed bytes dropped after each event). Invariants:
// no crash or trap, `consumed` never exceeds the bytes given, body spans lie within the consumed
// bytes, the parser always progresses, and every feeding yields the same requests and verdict.
import PayhookHTTP1

/// What a feeding produced, flattened to bytes for comparison.
struct Transcript: Equatable {
    var log: [UInt8] = []
    var error: HTTP1ParseError? = nil
}

func feed(_ input: ArraySlice<UInt8>, cuts: [Int], limits: HTTP1Limits, leniencies: HTTP1Leniencies) -> Transcript {
    var parser = HTTP1RequestParser(limits: limits, leniencies: leniencies)
    var buffer: [UInt8] = []
    var transcript = Transcript()
    var start = input.startIndex
    for cut in cuts + [input.endIndex] where cut >= start {
        buffer.append(contentsOf: input[start..<cut])
        start = cut
        // Events per call over this buffer's bytes, bounded by what it held before the calls:
        // the buffer drains as requests are consumed, so its current size bounds nothing.
        let maxSteps = 4 * buffer.count + 16
        var steps = 0
        feeding: while true {
            steps += 1
            precondition(steps <= maxSteps, "parser does not progress")
            let result = buffer.withUnsafeBytes { parser.parse($0) }
            precondition(result.consumed >= 0 && result.consumed <= buffer.count, "consumed out of range")
            switch result.event {
            case .needMore:
                buffer.removeFirst(result.consumed)
                break feeding
            case .head:
                buffer.withUnsafeBytes { record(parser, $0, into: &transcript.log) }
            case .body(let range):
                precondition(range.lowerBound >= 0 && range.upperBound <= result.consumed && !range.isEmpty, "bad body span")
                transcript.log.append(contentsOf: buffer[range])  // spans differ by feeding, bytes must not
            case .end:
                transcript.log.append(0xE0)
            case .error(let error):
                precondition(result.consumed == 0, "an error consumes nothing")
                _ = error.status
                transcript.error = error
                return transcript
            }
            buffer.removeFirst(result.consumed)
        }
    }
    return transcript
}

/// Appends what a server would copy out of a head, checking every range lies in the head.
func record(_ parser: HTTP1RequestParser, _ bytes: UnsafeRawBufferPointer, into log: inout [UInt8]) {
    let head = parser.head
    precondition(head.length > 0 && head.length <= bytes.count, "head length out of range")
    func span(_ range: Range<Int>?) {
        guard let range else { return log.append(0xFF) }
        precondition(range.lowerBound >= 0 && range.upperBound <= head.length, "range outside the head")
        log.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[range]))
        log.append(0)
    }
    log.append(0xA0)
    span(head.methodBytes)
    span(head.target)
    span(head.path)
    span(head.query)
    span(head.host)
    for field in parser.fields {
        span(field.name)
        span(field.value)
    }
    log.append(head.keepAlive ? 1 : 0)
    log.append(head.expectsContinue ? 1 : 0)
    switch head.framing {
    case .none: log.append(0)
    case .chunked: log.append(1)
    case .contentLength(let n): log.append(contentsOf: [2, UInt8(truncatingIfNeeded: n), UInt8(truncatingIfNeeded: n >> 8)])
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP1(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let config = data[0]
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))[...]
    let limits =
        config & 1 != 0
        ? HTTP1Limits(
            maxRequestLineBytes: 40, maxMethodBytes: 6, maxHeaderBytes: 60, maxHeaderCount: 3,
            maxBodyBytes: 20, maxChunkExtensionBytes: 8, maxTrailerBytes: 20)
        : HTTP1Limits()
    let leniencies: HTTP1Leniencies = config & 2 != 0 ? [.leadingEmptyLine, .framingFieldWhitespace, .bodyOnBodilessMethod] : []
    let whole = feed(input, cuts: [], limits: limits, leniencies: leniencies)
    var hash = 0
    for b in input.prefix(16) { hash = hash &* 31 &+ Int(b) }
    let cut = input.isEmpty ? 0 : (hash & Int.max) % input.count
    let split = feed(input, cuts: [cut], limits: limits, leniencies: leniencies)
    precondition(split == whole, "split at \(cut) differs from whole: \(String(describing: split.error)) vs \(String(describing: whole.error))")
    if input.count <= 512 {
        let bytewise = feed(input, cuts: Array(input.indices), limits: limits, leniencies: leniencies)
        precondition(
            bytewise == whole, "byte by byte differs from whole: \(String(describing: bytewise.error)) vs \(String(describing: whole.error))")
    }
    return 0
}

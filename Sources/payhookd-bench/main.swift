// payhookd-bench: micro-benchmarks of payhookd's hot paths.
//
//   payhookd-bench parse FILE [--seconds S] [--passes N]
//
// `parse` loads FILE (raw HTTP/1.1 requests, concatenated: see bench/corpus/) and parses it again
// and again: one buffer, a read index advanced by `consumed`, the head's fields looked up and
// touched, body spans summed, one count per `.end`. It measures the parser alone: the server
// (Connection+HTTP1.swift) also copies method, path, query, headers and body into a `Request`,
// which is not counted here. It prints
// `<N> requests/s <M> MB/s`, per second of CPU time (S seconds of it, default 5). scripts/bench-parser.sh runs it next to llhttp on the same corpus.
import Glibc
import PayhookHTTP1

func fail(_ message: String) -> Never {
    let line = Array("payhookd-bench: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(2)
}

func readFile(_ path: String) -> [UInt8] {
    guard let file = fopen(path, "rb") else { fail("cannot open \(path)") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, 65_536, file) }
        if n == 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return bytes
}

/// One pass over the corpus; returns the requests parsed and a checksum of what was touched.
@inline(never)
func parseAll(_ buffer: UnsafeRawBufferPointer, _ parser: inout HTTP1RequestParser) -> (requests: Int, touched: Int) {
    var offset = 0
    var requests = 0
    var touched = 0
    while true {
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[offset...])
        let result = parser.parse(bytes)
        switch result.event {
        case .needMore:
            return (requests, touched)
        case .head:
            let head = parser.head
            touched &+= head.path.count &+ (head.query?.count ?? 0) &+ (head.host?.count ?? 0)
            touched &+= Int(bytes[head.methodBytes.lowerBound])
            if let type = head.contentType { touched &+= type.count }
            if let signature = parser.value(of: "x-signature", in: bytes) ?? parser.value(of: "signature", in: bytes) {
                touched &+= signature.count
            }
            if head.keepAlive { touched &+= 1 }
        case .body(let range):
            touched &+= range.count &+ Int(bytes[range.lowerBound])
        case .end:
            requests &+= 1
        case .error(let error):
            fail("corpus request refused: \(error)")
        }
        offset &+= result.consumed
    }
}

/// CPU time of the calling thread, in seconds. The corresponding C function is `clock_gettime`.
func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func parseCommand(_ arguments: [String]) {
    guard let path = arguments.first else { fail("usage: payhookd-bench parse FILE [--seconds S]") }
    var seconds = 5.0
    if let i = arguments.firstIndex(of: "--seconds"), i + 1 < arguments.count, let s = Double(arguments[i + 1]) {
        seconds = s
    }
    // `--passes N`: exactly N passes, for instruction counts under callgrind (not a rate).
    var passLimit = Int.max
    if let i = arguments.firstIndex(of: "--passes"), i + 1 < arguments.count, let n = Int(arguments[i + 1]) {
        passLimit = n
    }
    let corpus = readFile(path)
    var parser = HTTP1RequestParser()
    // Rates are per second of this thread's CPU time, not wall time: on a shared machine the
    // wall clock also counts the time other processes held the CPU.
    let start = cpuSeconds()
    var requests = 0
    var passes = 0
    var checksum = 0
    var secondsTaken = 0.0
    corpus.withUnsafeBytes { buffer in
        repeat {
            for _ in 0..<64 {
                let (n, touched) = parseAll(buffer, &parser)
                requests &+= n
                checksum &+= touched
                passes += 1
            }
            secondsTaken = cpuSeconds() - start
        } while secondsTaken < seconds && passes < passLimit
    }
    let perSecond = Double(requests) / secondsTaken
    let megabytes = Double(corpus.count) * Double(passes) / secondsTaken / 1e6
    print("\(Int(perSecond)) requests/s \(Int(megabytes)) MB/s (\(requests / max(passes, 1)) requests per pass, checksum \(checksum % 1000))")
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "parse": parseCommand(Array(arguments.dropFirst()))
default: fail("usage: payhookd-bench parse FILE [--seconds S]")
}

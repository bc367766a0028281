import CLinuxShim
import PayhookLog
import PayhookPosix

/// Where a streamed snapshot goes: a file (`IndexSnapshot.write`) or an array (tests, `encode`).
protocol SnapshotSink {
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws(SyscallError)
}

/// The snapshot's bytes at increasing offsets of a file.
struct FileSnapshotSink: SnapshotSink {
    let file: File
    var offset: Int64 = 0

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws(SyscallError) {
        try file.pwriteAll(bytes, at: offset)
        offset += Int64(bytes.count)
    }
}

/// The snapshot's bytes in memory.
struct ArraySnapshotSink: SnapshotSink {
    var bytes: [UInt8] = []
    mutating func write(_ bytes: UnsafeRawBufferPointer) { self.bytes.append(contentsOf: bytes) }
}

/// Bytes handed to a sink in chunks of about `chunkBytes`, with the CRC32C of everything handed
/// so far, which `finish` appends: the file's bytes are never all in memory.
struct SnapshotStreamWriter<Sink: SnapshotSink> {
    /// One `pwrite` a chunk: large enough that the syscalls cost nothing next to encoding.
    static var chunkBytes: Int { 1 << 20 }
    var sink: Sink
    private var w = ByteWriter(capacity: Self.chunkBytes + 4096)
    private var crc: UInt32 = 0

    init(_ sink: Sink) { self.sink = sink }

    /// Appends what `body` writes; hands the chunk on once it reaches `chunkBytes`.
    mutating func put(_ body: (inout ByteWriter) -> Void) throws(SyscallError) {
        body(&w)
        if w.bytes.count >= Self.chunkBytes { try flush() }
    }

    /// Appends a length-prefixed part (a shard as its table encodes it). A part larger than a
    /// chunk goes to the sink as it is rather than through the chunk (no second copy of it).
    mutating func putPart(_ part: [UInt8]) throws(SyscallError) {
        w.u64(UInt64(part.count))
        if part.count < Self.chunkBytes {
            w.bytes.append(contentsOf: part)
            if w.bytes.count >= Self.chunkBytes { try flush() }
            return
        }
        try flush()
        try emit(part)
    }

    mutating func flush() throws(SyscallError) {
        if w.bytes.isEmpty { return }
        try emit(w.bytes)
        w.bytes.removeAll(keepingCapacity: true)
    }

    private mutating func emit(_ bytes: [UInt8], checksummed: Bool = true) throws(SyscallError) {
        // `withUnsafeBytes` rethrows untyped: the error is carried out by hand.
        var failure: SyscallError?
        bytes.withUnsafeBytes { p in
            if checksummed { crc = cshim_crc32c(crc, p.baseAddress!, p.count) }
            do throws(SyscallError) { try sink.write(p) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Flushes and appends the CRC32C of every byte before it.
    mutating func finish() throws(SyscallError) {
        try flush()
        var tail = ByteWriter(capacity: 4)
        tail.u32(crc)
        try emit(tail.bytes, checksummed: false)
    }
}

/// Reads a snapshot front to back in chunks of about 1 MiB, keeping the CRC32C of what it took:
/// the caller decodes part by part and accepts the result only if `finish` finds the stored CRC
/// equal (so a file's bytes and its index are never both in memory). Every length is checked
/// against what is left before it is read.
struct SnapshotStreamReader {
    static var chunkBytes: Int { 1 << 20 }
    /// Reads up to `count` bytes at `offset` (shorter only at the end).
    private let source: (_ offset: Int, _ count: Int) throws(DecodeError) -> [UInt8]
    /// Bytes before the trailing CRC.
    let bodyBytes: Int
    private var chunk: [UInt8] = []
    private var chunkAt = 0
    private var chunkOffset = 0
    /// Bytes taken so far (the offset in the file).
    private(set) var consumed = 0
    private var crc: UInt32 = 0

    init(size: Int, source: @escaping (_ offset: Int, _ count: Int) throws(DecodeError) -> [UInt8]) throws(DecodeError) {
        guard size >= 16 else { throw DecodeError(offset: 0, what: "snapshot of \(size) bytes is too short") }
        self.source = source
        bodyBytes = size - 4
    }

    var remaining: Int { bodyBytes - consumed }

    /// The next `n` bytes of the body.
    mutating func take(_ n: Int, _ what: String) throws(DecodeError) -> [UInt8] {
        guard n >= 0, n <= remaining else { throw DecodeError(offset: consumed, what: "\(what): \(n) bytes, \(remaining) left") }
        var out: [UInt8] = []
        out.reserveCapacity(n)
        while out.count < n {
            if chunkAt == chunk.count {
                chunkOffset += chunk.count
                chunk = try source(chunkOffset, min(Self.chunkBytes, bodyBytes - chunkOffset))
                chunkAt = 0
                guard !chunk.isEmpty else { throw DecodeError(offset: chunkOffset, what: "snapshot ends early") }
            }
            let k = min(n - out.count, chunk.count - chunkAt)
            out.append(contentsOf: chunk[chunkAt..<(chunkAt + k)])
            chunkAt += k
        }
        consumed += n
        crc = out.withUnsafeBytes { cshim_crc32c(crc, $0.baseAddress!, $0.count) }
        return out
    }

    /// Decodes `n` bytes with `body`, which must use them all.
    mutating func decode<T>(_ n: Int, _ what: String, _ body: (inout ByteReader) throws(DecodeError) -> T) throws(DecodeError) -> T {
        let at = consumed
        let bytes = try take(n, what)
        do {
            return try ByteReader.read(bytes[...]) { (r: inout ByteReader) throws(DecodeError) in
                let value = try body(&r)
                guard r.remaining == 0 else { throw DecodeError(offset: r.offset, what: "\(what): \(r.remaining) bytes left over") }
                return value
            }
        } catch {
            throw DecodeError(offset: at + error.offset, what: error.what)
        }
    }

    mutating func u32(_ what: String) throws(DecodeError) -> UInt32 {
        try decode(4, what) { (r: inout ByteReader) throws(DecodeError) in try r.u32(what) }
    }
    mutating func u64(_ what: String) throws(DecodeError) -> UInt64 {
        try decode(8, what) { (r: inout ByteReader) throws(DecodeError) in try r.u64(what) }
    }

    /// After the last part: the body was read to its end and its CRC32C is the stored one.
    mutating func finish() throws(DecodeError) {
        guard remaining == 0 else { throw DecodeError(offset: consumed, what: "trailing snapshot bytes") }
        let stored = try source(bodyBytes, 4)
        guard stored.count == 4 else { throw DecodeError(offset: bodyBytes, what: "snapshot ends early") }
        let value = UInt32(stored[0]) | UInt32(stored[1]) << 8 | UInt32(stored[2]) << 16 | UInt32(stored[3]) << 24
        guard value == crc else { throw DecodeError(offset: bodyBytes, what: "snapshot CRC mismatch") }
    }
}

import Glibc
import PayhookLog
import PayhookPosix

/// One shard's bytes as a snapshot holds them, taken off the stream to be read apart
/// (`IndexSnapshot.decodeParts`). `offset`: where they start in the file, for error messages.
struct SnapshotShardBytes: Sendable {
    var index: Int
    var offset: Int
    var bytes: [UInt8]
}

extension IndexSnapshot {
    /// Shards are taken off the stream in batches of about this many bytes and read on
    /// `decodeThreads` threads: at 3M payments, checking every record and placing it in its
    /// shard's slot table is most of start-up, and each shard is independent of the others.
    static let decodeBatchBytes = 8 << 20
    /// Threads that read a batch (the caller's among them): the CPUs online, at most 4.
    static var decodeThreads: Int { max(1, min(4, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))) }

    /// Reads `parts` (shards of `table`, none of them shard 0) on up to `threads` threads and
    /// installs them in order; the first part in file order that fails to read is the error.
    static func decodeParts<T: ShardedIndexTable>(
        _ table: inout T, _ what: String, _ parts: [SnapshotShardBytes], threads: Int = decodeThreads
    ) throws(DecodeError) {
        let context = table.decodeContext
        let results = ShardWork.run(parts.count, threads: threads) { k -> Result<T.Shard, DecodeError> in
            let part = parts[k]
            do throws(DecodeError) {
                return .success(
                    try ByteReader.read(part.bytes[...]) { (r: inout ByteReader) throws(DecodeError) in
                        let shard = try T.decodeDetached(part.index, from: &r, context: context)
                        guard r.remaining == 0 else {
                            throw DecodeError(offset: r.offset, what: "\(what) shard \(part.index): \(r.remaining) bytes left over")
                        }
                        return shard
                    })
            } catch {
                return .failure(DecodeError(offset: part.offset + error.offset, what: error.what))
            }
        }
        for (part, result) in zip(parts, results) {
            switch result {
            case .success(let shard): table.install(shard, at: part.index)
            case .failure(let error): throw error
            }
        }
    }
}

/// `body(0..<n)` shared out among threads (item k to thread k mod threads), each result written
/// to its own cell, so no locks: the caller's thread takes share 0 and joins the others. A thread
/// that cannot be started leaves its share to the caller.
final class ShardWork<R: Sendable>: @unchecked Sendable {
    private let n: Int
    private let stride: Int
    private let body: @Sendable (Int) -> R
    private let results: UnsafeMutablePointer<R?>

    private init(n: Int, stride: Int, body: @escaping @Sendable (Int) -> R) {
        self.n = n
        self.stride = stride
        self.body = body
        results = .allocate(capacity: n)
        results.initialize(repeating: nil, count: n)
    }

    deinit {
        results.deinitialize(count: n)
        results.deallocate()
    }

    private func share(_ k: Int) {
        for i in Swift.stride(from: k, to: n, by: stride) { results[i] = body(i) }
    }

    static func run(_ n: Int, threads: Int, _ body: @escaping @Sendable (Int) -> R) -> [R] {
        let t = max(1, min(threads, n))
        let work = ShardWork(n: n, stride: t, body: body)
        var started: [PosixThread] = []
        var leftOver: [Int] = []
        for k in 1..<t {
            if let thread = try? PosixThread.spawn(name: "payhookd-index", { work.share(k) }) {
                started.append(thread)
            } else {
                leftOver.append(k)
            }
        }
        work.share(0)
        for k in leftOver { work.share(k) }
        for thread in started { thread.join() }
        return (0..<n).map { work.results[$0]! }
    }
}

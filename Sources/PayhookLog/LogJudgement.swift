import PayhookPosix

/// Something durable that proves every seq up to `seq` was acknowledged (a 2xx went out).
public struct AckWitness: Sendable, Equatable {
    public var seq: UInt64
    /// What it is ("the snapshot", "the high-water mark").
    public var kind: String
    /// Its file, which the operator moves aside to give up the seqs it proves.
    public var path: String

    public init(seq: UInt64, kind: String, path: String) {
        self.seq = seq
        self.kind = kind
        self.path = path
    }

    public var what: String { "\(kind) \(path)" }
}

/// Where a scan found the log to end: the input of `LogJudgement.judge`.
public struct LogEnd: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A frame cut short by the end of the file, or zeros to the end.
        case torn
        /// A bad last frame that damage could have left as well as a torn write.
        case suspect
        /// A last segment whose header was never completely written.
        case incompleteHeader
    }

    /// Bytes at the end of the last segment that are not a valid record.
    public struct Tail: Sendable, Equatable {
        public var segment: String
        public var offset: Int64
        public var bytes: Int64
        public var kind: Kind
        public var reason: String
    }

    /// The seq of the last valid record (0: none).
    public var lastSeq: UInt64
    /// The last segment file on disk, `nil` when there is none.
    public var lastSegment: String?
    public var tail: Tail?
}

/// What start-up does with the end of the log; `payhookd log verify` shows the same verdict.
public enum LogVerdict: Sendable, Equatable {
    /// Start. `note` says what is cut and why that loses nothing acknowledged.
    case accept(note: String?)
    /// Refuse to start: the message names the end, the witnesses and the way out.
    case refuse(String)
}

/// The one judgement of the log's end that `serve` (through `LogRecovery`) and `log verify`
/// share: the log must reach every seq a durable witness proves was acknowledged.
public enum LogJudgement {
    /// Every durable witness of acknowledged seqs in `logDir`: the index snapshots (their file
    /// names; a snapshot is renamed into place only after it was synced, and covers only synced
    /// records, so a damaged one still proves its seq) and the high-water mark `log/acked`. Hook cursors are one more witness later.
    public static func witnesses(logDir: String) throws(LogOpenError) -> [AckWitness] {
        var out: [AckWitness] = []
        let names: [String]
        do throws(SyscallError) { names = try FileSystem.list(logDir) } catch { throw .io(error) }
        // Every snapshot kept (the newest and one spare), so a refusal names each file to move.
        for seq in names.compactMap({ SnapshotFiles.lastSeq(fileName: $0) }).sorted(by: >) {
            out.append(AckWitness(seq: seq, kind: "the snapshot", path: logDir + "/" + SnapshotFiles.fileName(lastSeq: seq)))
        }
        if let mark = try AckedMark.read(logDir: logDir) {
            out.append(AckWitness(seq: mark, kind: "the high-water mark", path: logDir + "/" + AckedMark.fileName))
        }
        return out
    }

    /// The highest seq any witness proves acknowledged (0: none).
    public static func provenSeq(_ witnesses: [AckWitness]) -> UInt64 { witnesses.map(\.seq).max() ?? 0 }

    /// Refuses when the log, once a bad tail is cut, would end below a seq a witness proves
    /// acknowledged; otherwise accepts, saying what the cut removes and why it was never acked.
    /// Whether the tail looks torn or damaged only changes the words: the witnesses decide.
    public static func judge(_ end: LogEnd, witnesses: [AckWitness], logDir: String) -> LogVerdict {
        let proven = provenSeq(witnesses)
        guard proven <= end.lastSeq else { return .refuse(refusal(end, witnesses: witnesses, logDir: logDir)) }
        guard let t = end.tail else { return .accept(note: nil) }
        let next = end.lastSeq + 1
        let why = proven == 0 ? "no witness proves any seq acknowledged" : "the highest seq a witness proves acknowledged is \(proven)"
        switch t.kind {
        case .torn:
            return .accept(
                note: "torn tail cut in \(t.segment) at byte offset \(t.offset) (\(t.bytes) bytes): seq \(next) was never acknowledged (\(why))")
        case .suspect:
            return .accept(
                note:
                    "damaged last record cut in \(t.segment) at byte offset \(t.offset) (\(t.reason), \(t.bytes) bytes): taken for a torn write, seq \(next) was never acknowledged (\(why))"
            )
        case .incompleteHeader:
            return .accept(
                note: "removed incomplete segment \(t.segment): its header was never completely written, so nothing in it was acknowledged")
        }
    }

    private static func refusal(_ end: LogEnd, witnesses: [AckWitness], logDir: String) -> String {
        let where_: String
        switch end.tail {
        case let t? where t.kind == .torn: where_ = "\(t.segment) has a torn write at byte offset \(t.offset)"
        case let t? where t.kind == .suspect: where_ = "\(t.segment) has a damaged last record at byte offset \(t.offset): \(t.reason)"
        case let t?: where_ = "\(t.segment) has an incomplete header"
        case nil: where_ = end.lastSegment.map { "\($0) ends there" } ?? "there is no segment file"
        }
        let above = witnesses.filter { $0.seq > end.lastSeq }.sorted { $0.seq > $1.seq }
        let proofs = above.map { "\($0.what) proves seq \($0.seq) was acknowledged" }.joined(separator: " and ")
        let first = end.lastSeq + 1
        let proven = provenSeq(witnesses)
        let files = above.map(\.path).joined(separator: ", ")
        return "log ends at seq \(end.lastSeq) (\(where_)) but \(proofs): acknowledged seqs \(first)...\(proven) are missing or damaged. "
            + "Start-up refuses rather than lose them and give their seqs out again. Restore the missing records (e.g. the "
            + "segment files after \(end.lastSegment ?? "the first one") from a backup) into \(logDir); to give them up for good, "
            + "move aside \(files) (seqs from \(first) on will then be given out again)"
    }
}

extension LogEnd.Tail {
    /// The tail a scan of `segment` (`fileBytes` long) ended with: `nil` when clean; throws
    /// `.damaged` for damage that is not at the tail.
    init?(_ end: ScanEnd, segment: String, fileBytes: Int64) throws(LogOpenError) {
        switch end {
        case .clean: return nil
        case .torn(let offset):
            self.init(segment: segment, offset: offset, bytes: fileBytes - offset, kind: .torn, reason: "torn write")
        case .suspect(let offset, let reason):
            self.init(segment: segment, offset: offset, bytes: fileBytes - offset, kind: .suspect, reason: reason)
        case .damaged(let offset, let reason):
            throw .damaged(segment: segment, offset: offset, reason: reason)
        }
    }
}

import PayhookCore
import PayhookLog
import PayhookPosix

extension LogTool {
    /// The index start-up would build (newest snapshot + replay, read only: nothing is repaired)
    /// as heap bytes and entries per part, and the newest snapshot file's age and size, as
    /// `key: value` lines. A log recovery refuses (damage, a missing acknowledged tail) reports
    /// `-` for the index: `log verify` says why.
    static func indexStats(logDir: String, nowMs: Int64) -> [String] {
        var lines: [String] = []
        let recovered = try? LogRecovery.recover(logDir: logDir, repair: false, verifyCovered: false, snapshot: IndexSnapshot.loadNewest)
        for part in ["dedup", "payments", "segments"] {
            let memory = recovered?.index.memoryByPart().first { $0.part == part }
            lines.append("index_\(part)_entries: \(memory.map { String($0.entries) } ?? "-")")
            lines.append("index_\(part)_bytes: \(memory.map { String($0.bytes) } ?? "-")")
        }
        let names = (try? FileSystem.list(logDir)) ?? []
        guard let newest = names.compactMap({ IndexSnapshot.lastSeq(fileName: $0) }).max() else {
            return lines + ["snapshot_seq: -", "snapshot_bytes: -", "snapshot_age_seconds: -"]
        }
        let path = logDir + "/" + IndexSnapshot.fileName(lastSeq: newest)
        let bytes = (try? FileSystem.size(path)) ?? nil
        let modifiedMs = IndexSnapshot.writtenAtMs(logDir: logDir, lastSeq: newest)
        return lines + [
            "snapshot_seq: \(newest)", "snapshot_bytes: \(bytes.map { String($0) } ?? "-")",
            "snapshot_age_seconds: \(modifiedMs.map { String(max(0, nowMs - $0) / 1000) } ?? "-")",
        ]
    }
}

import CLinuxShim
import Glibc
import PayhookPosix

// High-water mark file format, version 1 (storage.dir/log/acked), 24 bytes:
//   magic "PAYHKACK", version u16 = 1, reserved u16, seq u64, crc u32 (CRC32C of the 20 bytes
//   before it). `seq` is a seq that was durable (its batch's fdatasync had returned) when the
//   file was written, so the mark lags the log's true tail and never leads it. Written
//   tmp + fdatasync + rename + fsync of the directory, so a reader sees the old or the new file.

/// The durable high-water mark: a witness that every seq up to `seq` was acknowledged.
public enum AckedMark {
    public static let fileName = "acked"
    static let magic: [UInt8] = Array("PAYHKACK".utf8)
    static let version: UInt16 = 1
    static let bytes = 24

    static func encode(seq: UInt64) -> [UInt8] {
        var w = ByteWriter(capacity: bytes)
        w.bytes.append(contentsOf: magic)
        w.u16(version)
        w.u16(0)
        w.u64(seq)
        let crc = w.bytes.withUnsafeBytes { cshim_crc32c(0, $0.baseAddress!, $0.count) }
        w.u32(crc)
        return w.bytes
    }

    static func decode(_ b: [UInt8]) throws(DecodeError) -> UInt64 {
        guard b.count == bytes else { throw DecodeError(offset: 0, what: "\(b.count) bytes where \(bytes) were expected") }
        guard Array(b.prefix(8)) == magic else { throw DecodeError(offset: 0, what: "bad magic") }
        let crc = b.withUnsafeBytes { cshim_crc32c(0, $0.baseAddress!, bytes - 4) }
        guard crc == SegmentScanner.readU32(b, bytes - 4) else { throw DecodeError(offset: bytes - 4, what: "CRC mismatch") }
        let version = UInt16(b[8]) | UInt16(b[9]) << 8
        guard version == Self.version else { throw DecodeError(offset: 8, what: "version \(version) is not \(Self.version)") }
        return UInt64(SegmentScanner.readU32(b, 12)) | UInt64(SegmentScanner.readU32(b, 16)) << 32
    }

    /// The mark in `logDir`, `nil` when there is none. A file that does not decode was written
    /// by rename, so it is damage, not a torn write: the caller refuses to guess.
    public static func read(logDir: String) throws(LogOpenError) -> UInt64? {
        let path = logDir + "/" + fileName
        let content: [UInt8]
        do throws(SyscallError) {
            guard try FileSystem.size(path) != nil else { return nil }
            content = try LogVerify.readAll(path)
        } catch {
            throw .io(error)
        }
        do throws(DecodeError) { return try decode(content) } catch {
            throw .damagedWitness(
                path: path,
                reason:
                    "\(error.what); it only ever holds a seq that was durable, so the log may be checked with `payhookd log verify` and the file removed if the log is known complete"
            )
        }
    }

    /// Writes `seq` durably (temporary file, fdatasync, rename, fsync of the directory).
    public static func write(seq: UInt64, logDir: String) throws(SyscallError) {
        try FileSystem.replaceDurably(logDir + "/" + fileName) { (file: File) throws(SyscallError) in try file.pwriteAll(encode(seq: seq), at: 0) }
    }
}

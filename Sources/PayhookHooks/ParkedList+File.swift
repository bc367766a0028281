import Glibc
import PayhookPosix

// Parked events file, version 2 (storage.dir/hooks/<hook name>.parked), append-only. This
// comment is the specification. Integers little-endian.
//
//   magic    8 bytes  "PAYHKPRK"
//   version  u16      2
//   reserved u16      0
//   frames   each:  op u8 (1 parked: the entry of its seq is added or replaced; 2 delivered: the
//                   seq leaves the list), length u32, payload (op 1: a `hook_parked` record's
//                   bytes, ParkRecord+Codec.swift; op 2: seq u64), crc u32 (CRC32C of op,
//                   length and payload)
//
// Why append-only: the list changes by one entry at a time (a parking, a delivery after
// `retry-parked`); rewriting the whole file each time cost O(n) per change, O(n^2) for n
// parkings. Each change is appended and fdatasync'd (by the cursor writer thread, before any
// cursor of the same batch). When the file is over twice the bytes its live entries need and
// over `compactMinBytes`, it is rewritten whole (write, fsync, rename, fsync dir): the size
// stays within about twice the live list.
//
// A frame cut short or failing its CRC at the very end of the file is an append a crash
// interrupted: it was never fdatasync'd, so no cursor counts on it (the event is still pending
// there). It is ignored and cut off before the next append. A bad frame followed by more bytes
// is damage. A file larger than the decode bound (`[storage] hook_parked_max_bytes`) is not
// read into memory: the daemon stops and names it. Version 1 (the whole list under one CRC,
// `ParkedList.decode`) is still read; the first append rewrites it as version 2.

extension ParkedList {
    public enum FileError: Error, Sendable, Equatable {
        case io(SyscallError)
        /// The file exists but is not a parked list: the caller stops and names it.
        case damaged(path: String, DecodeError)
        /// Larger than the decode bound: the caller stops and names it and the bound.
        case tooLarge(path: String, bytes: Int64, maxBytes: Int64)
    }

    public static let fileVersion: UInt16 = 2

    static let headerBytes = 12
    /// Default decode bound (`[storage] hook_parked_max_bytes`).
    public static let defaultMaxBytes = 268_435_456

    /// The file name of a hook's parked list in `directory`.
    public static func path(directory: String, hook: String) -> String { directory + "/" + hook + ".parked" }

    /// The list at `path`; empty when there is none (nothing was ever parked).
    public static func read(path: String, maxBytes: Int = defaultMaxBytes) throws(FileError) -> ParkedList {
        try load(path: path, maxBytes: maxBytes).list
    }

    /// The list, the bytes of the file that are valid (a torn last frame excluded), and its version.
    static func load(path: String, maxBytes: Int) throws(FileError) -> (list: ParkedList, validBytes: Int, version: UInt16) {
        let bytes: [UInt8]
        do {
            let file = try File.open(path, flags: O_RDONLY)
            defer { file.close() }
            let size = try file.size()
            guard size <= Int64(maxBytes) else { throw FileError.tooLarge(path: path, bytes: size, maxBytes: Int64(maxBytes)) }
            bytes = try file.read(count: Int(size), at: 0)
        } catch let error as FileError {
            throw error
        } catch let error as SyscallError {
            if error.errno == .noEntry { return (ParkedList(), 0, fileVersion) }
            throw .io(error)
        } catch {
            fatalError("unreachable: \(error)")
        }
        do { return try decodeFile(bytes) } catch { throw .damaged(path: path, error) }
    }

    /// Either version; for version 2 also where the valid frames end.
    static func decodeFile(_ b: [UInt8]) throws(DecodeError) -> (list: ParkedList, validBytes: Int, version: UInt16) {
        guard b.count >= headerBytes else { throw .tooShort(bytes: b.count) }
        guard b[0..<8].elementsEqual(magic) else { throw .badMagic }
        let version = UInt16(LittleEndian.get(b, 8, 2))
        if version == Self.version { return (try decode(b), b.count, version) }
        guard version == fileVersion else { throw .unsupportedVersion(version) }
        var list = ParkedList()
        var at = headerBytes
        var index = 0
        while at < b.count {
            guard let found = frame(b, at) else {
                // Torn at the end (never synced, never counted on), or damage in the middle.
                if tornTail(b, at) { break }
                throw .badEntry(index: index)
            }
            list.apply(found.change)
            at = found.next
            index += 1
        }
        return (list, at, version)
    }

    /// The change in the frame at `at` and where the next begins; nil when it is cut short or bad.
    private static func frame(_ b: [UInt8], _ at: Int) -> (change: ParkedChange, next: Int)? {
        guard at + 5 <= b.count else { return nil }
        let n = Int(LittleEndian.get(b, at + 1, 4))
        guard n <= b.count - at - 9 else { return nil }
        let end = at + 5 + n
        guard UInt32(LittleEndian.get(b, end, 4)) == LittleEndian.crc32c(b[at..<end]) else { return nil }
        let payload = Array(b[(at + 5)..<end])
        switch b[at] {
        case 1:
            guard let event = ParkedEvent.decode(payload) else { return nil }
            return (ParkedChange.parked(event), end + 4)
        case 2:
            guard n == 8 else { return nil }
            return (ParkedChange.delivered(LittleEndian.get(payload, 0, 8)), end + 4)
        default: return nil
        }
    }

    /// Whether the bad frame at `at` is the last thing in the file: its length field runs past
    /// the end, or the CRC that fails is the file's last four bytes.
    private static func tornTail(_ b: [UInt8], _ at: Int) -> Bool {
        guard at + 5 <= b.count else { return true }
        let n = Int(LittleEndian.get(b, at + 1, 4))
        return n > b.count - at - 9 || at + 9 + n == b.count
    }

    mutating func apply(_ change: ParkedChange) {
        switch change {
        case .parked(let event): insert(event)
        case .delivered(let seq): remove(seq)
        }
    }

    static func header() -> [UInt8] {
        var b = magic
        LittleEndian.put(UInt64(fileVersion), 2, &b)
        LittleEndian.put(0, 2, &b)
        return b
    }

    /// The whole list as a version-2 file: the header and one `parked` frame per entry.
    public func encodeFile() -> [UInt8] {
        var b = Self.header()
        for seq in seqs { b += ParkedChange.parked(events[seq]!).frame() }
        return b
    }

    /// Replaces the file at `path` durably with the whole list (compaction; as `HookCursor.write`).
    public func write(path: String) throws(FileError) {
        do { try HookCursor.replaceFile(path: path, bytes: encodeFile()) } catch { throw .io(error) }
    }
}

extension ParkedList.FileError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .io(let error): "\(error)"
        case .damaged(let path, let error): "\(path): not a parked list: \(error)"
        case .tooLarge(let path, let bytes, let max):
            "\(path): \(bytes) bytes, over the bound of \(max) ([storage] hook_parked_max_bytes); not read"
        }
    }
}

/// One change to a hook's parked list, as appended to its file.
public enum ParkedChange: Sendable, Equatable {
    case parked(ParkedEvent)
    case delivered(UInt64)

    func frame() -> [UInt8] {
        var b: [UInt8]
        let payload: [UInt8]
        switch self {
        case .parked(let event):
            b = [1]
            payload = event.encode()
        case .delivered(let seq):
            b = [2]
            var p: [UInt8] = []
            LittleEndian.put(seq, 8, &p)
            payload = p
        }
        LittleEndian.put(UInt64(payload.count), 4, &b)
        b += payload
        LittleEndian.put(UInt64(LittleEndian.crc32c(b[...])), 4, &b)
        return b
    }
}

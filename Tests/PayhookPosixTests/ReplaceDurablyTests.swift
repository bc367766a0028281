import Glibc
import PayhookPosix
import TestSupport
import Testing

/// `FileSystem.replaceDurably`, the one write-temporary-then-rename of the snapshot, the
/// high-water mark and the hook cursors.
@Suite struct ReplaceDurablyTests {
    @Test("replaces the file whole; a failed write leaves the old file and no temporary behind")
    func replaceOrKeep() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("state")
        try FileSystem.replaceDurably(path) { (file: File) throws(SyscallError) in try file.pwriteAll(Array("first".utf8), at: 0) }
        #expect(dir.read(path) == Array("first".utf8))
        #expect(throws: SyscallError.self) {
            try FileSystem.replaceDurably(path) { (file: File) throws(SyscallError) in
                try file.pwriteAll(Array("half".utf8), at: 0)
                throw SyscallError(call: "write", errno: .noEntry)
            }
        }
        #expect(dir.read(path) == Array("first".utf8))
        #expect(access(path + ".tmp", F_OK) != 0)
        try FileSystem.replaceDurably(path, temporary: dir.file("fixed.tmp")) { (file: File) throws(SyscallError) in
            try file.pwriteAll(Array("2nd".utf8), at: 0)
        }
        #expect(dir.read(path) == Array("2nd".utf8))
        #expect(access(dir.file("fixed.tmp"), F_OK) != 0)
    }
}

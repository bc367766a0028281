import CLinuxShim
import PayhookPosix

/// Reading the config file and secret files, through the syscall funnel. Loading runs before the
/// event loop starts (and on SIGHUP, off the loop's hot path), so blocking reads are fine here.
enum ConfigFiles {
    enum ReadError: Error, Equatable {
        case system(SyscallError)
        case tooLarge(maxBytes: Int)

        var message: String {
            switch self {
            case .system(let e): e.errno.description
            case .tooLarge(let n): "larger than \(n) bytes"
            }
        }

        var isNotFound: Bool { self == .system(SyscallError(call: "open", errno: .noEntry)) }
    }

    /// The whole file, or an error when it cannot be read or exceeds `maxBytes`. Reads at most
    /// `maxBytes + 1` bytes, so a huge file is refused without being read whole. Read in sequence
    /// (not `pread`), so that a pipe or FIFO works too: a reload reads off the loop and may wait.
    static func read(_ path: String, maxBytes: Int) throws(ReadError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: maxBytes + 1)
        var filled = 0
        do {
            let file = try File.open(path, flags: O_RDONLY)
            defer { file.close() }
            while filled < bytes.count {
                let n = try Self.readSome(file.fd, into: &bytes, at: filled)
                if n == 0 { break }
                filled += n
            }
        } catch {
            throw .system(error)
        }
        bytes.removeSubrange(filled...)
        guard bytes.count <= maxBytes else { throw .tooLarge(maxBytes: maxBytes) }
        return bytes
    }

    private static func readSome(_ fd: Int32, into bytes: inout [UInt8], at offset: Int) throws(SyscallError) -> Int {
        let result: Result<Int?, SyscallError> = bytes[offset...].withUnsafeMutableBytes { p in
            Result { () throws(SyscallError) in try IO.read(fd, into: p) }
        }
        return try result.get() ?? 0
    }

    /// The folder of `path` (`.` for a bare file name), for resolving relative paths.
    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `relative` against `folder`, unchanged when already absolute; then cleaned lexically
    /// like Go's `filepath.Join` (`config/../var` is `var`).
    static func resolve(_ relative: String, against folder: String) -> String {
        if relative.hasPrefix("/") { return clean(relative) }
        return clean(folder == "/" ? "/\(relative)" : "\(folder)/\(relative)")
    }

    /// Drops empty and `.` components and folds `name/..`; keeps leading `..` of relative paths.
    static func clean(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part == "..", absolute {
                continue  // `/..` is `/`
            } else {
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }
}

/// Secret files: `$CREDENTIALS_DIRECTORY` (systemd's `LoadCredential=`) first for relative names,
/// then the config file's folder; one trailing newline removed; never empty.
struct SecretFileReader {
    let configPath: String
    let environment: [String: String]
    let maxBytes: Int

    /// The secret's bytes, or a message (naming the file, never its content) for a ConfigError.
    func read(_ name: String) -> Result<[UInt8], SecretFileFailure> {
        var candidates: [String] = []
        if !name.hasPrefix("/"), let credentials = environment["CREDENTIALS_DIRECTORY"], !credentials.isEmpty {
            candidates.append(ConfigFiles.resolve(name, against: credentials))
        }
        candidates.append(ConfigFiles.resolve(name, against: ConfigFiles.folder(of: configPath)))
        var lastError = ConfigFiles.ReadError.system(SyscallError(call: "open", errno: .noEntry))
        for (i, path) in candidates.enumerated() {
            do {
                var bytes = try ConfigFiles.read(path, maxBytes: maxBytes)
                if bytes.last == UInt8(ascii: "\n") {
                    bytes.removeLast()
                    if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
                }
                guard !bytes.isEmpty else { return .failure(SecretFileFailure("secret file `\(path)` is empty")) }
                return .success(bytes)
            } catch {
                lastError = error
                // Only "not there" falls through to the next place; any other failure is reported.
                if !error.isNotFound || i == candidates.count - 1 {
                    return .failure(
                        SecretFileFailure(
                            "cannot read secret file `\(name)` (tried \(candidates[0...i].map { "`\($0)`" }.joined(separator: ", "))): \(error.message)"
                        ))
                }
            }
        }
        return .failure(SecretFileFailure("cannot read secret file `\(name)`: \(lastError.message)"))
    }
}

struct SecretFileFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

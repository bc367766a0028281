import CNATS
import Glibc

/// A message read back from a stream (tests, `nats` tooling parity).
public struct NATSStreamMessage: Sendable, Equatable {
    public var sequence: UInt64
    public var subject: String
    public var headers: [String: String]
    public var data: [UInt8]
}

extension NATSClient {
    /// What `ensureStream` found.
    public enum StreamCheck: Sendable, Equatable {
        case created
        /// Used as it is; its own duplicate window (ms), which may differ from the hook's.
        case existing(duplicateWindowMs: Int64)
    }

    /// Makes sure `name` exists and its subjects cover `pattern`: creates it (file storage,
    /// `duplicateWindowMs`) when missing and `create`, else throws a message naming the stream,
    /// its subjects and the pattern. An existing stream is never changed.
    public func ensureStream(_ name: String, pattern: String, duplicateWindowMs: Int64, create: Bool) throws(NATSError) -> StreamCheck {
        var si: UnsafeMutablePointer<jsStreamInfo>?
        var code = jsErrCode(0)
        var s = js_GetStreamInfo(&si, js, name, nil, &code)
        if s == NATS_OK, let si {
            defer { jsStreamInfo_Destroy(si) }
            let config = si.pointee.Config.pointee
            var subjects: [String] = []
            for i in 0..<Int(config.SubjectsLen) { if let p = config.Subjects[i] { subjects.append(String(cString: p)) } }
            guard subjects.contains(where: { NATSSubject.covers($0, pattern) }) else {
                throw NATSError(
                    message: "stream `\(name)` subjects [\(subjects.joined(separator: ", "))] do not cover the hook's subject `\(pattern)`")
            }
            return .existing(duplicateWindowMs: config.Duplicates / 1_000_000)
        }
        let error = NATSError(s, jsCode: code, "stream `\(name)`")
        guard error.isStreamNotFound else { throw error }
        guard create else { throw NATSError(status: error.status, jsCode: error.jsCode, message: "stream `\(name)` does not exist (create = false)") }
        var config = jsStreamConfig()
        jsStreamConfig_Init(&config)
        config.Storage = js_FileStorage
        config.Duplicates = duplicateWindowMs * 1_000_000
        s = name.withCString { n in
            config.Name = n
            return pattern.withCString { p in
                var subjects: [UnsafePointer<CChar>?] = [p]
                return subjects.withUnsafeMutableBufferPointer { b in
                    config.Subjects = b.baseAddress
                    config.SubjectsLen = 1
                    return js_AddStream(&si, js, &config, nil, &code)
                }
            }
        }
        if let si { jsStreamInfo_Destroy(si) }
        guard s == NATS_OK else { throw NATSError(s, jsCode: code, "create stream `\(name)`") }
        return .created
    }

    /// Every message of `stream` in order (blocking; for tests and tooling, not the hot path).
    public func messages(of stream: String) throws(NATSError) -> [NATSStreamMessage] {
        var si: UnsafeMutablePointer<jsStreamInfo>?
        var code = jsErrCode(0)
        let s = js_GetStreamInfo(&si, js, stream, nil, &code)
        guard s == NATS_OK, let si else { throw NATSError(s, jsCode: code, "stream `\(stream)`") }
        let (first, last, count) = (si.pointee.State.FirstSeq, si.pointee.State.LastSeq, si.pointee.State.Msgs)
        jsStreamInfo_Destroy(si)
        guard count > 0 else { return [] }
        var out: [NATSStreamMessage] = []
        for seq in first...last {
            var msg: OpaquePointer?
            let g = js_GetMsg(&msg, js, stream, seq, nil, &code)
            if g == NATS_NOT_FOUND || code.rawValue == 10037 { continue }
            guard g == NATS_OK, let msg else { throw NATSError(g, jsCode: code, "get \(stream) #\(seq)") }
            defer { natsMsg_Destroy(msg) }
            out.append(
                NATSStreamMessage(sequence: seq, subject: String(cString: natsMsg_GetSubject(msg)), headers: Self.headers(msg), data: Self.data(msg)))
        }
        return out
    }

    static func headers(_ msg: OpaquePointer) -> [String: String] {
        var keys: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        var count: Int32 = 0
        guard natsMsgHeader_Keys(msg, &keys, &count) == NATS_OK, let keys else { return [:] }
        defer { free(keys) }
        var out: [String: String] = [:]
        for i in 0..<Int(count) {
            guard let k = keys[i] else { continue }
            var value: UnsafePointer<CChar>?
            if natsMsgHeader_Get(msg, k, &value) == NATS_OK, let value { out[String(cString: k)] = String(cString: value) }
        }
        return out
    }

    static func data(_ msg: OpaquePointer) -> [UInt8] {
        let n = Int(natsMsg_GetDataLength(msg))
        guard n > 0, let p = natsMsg_GetData(msg) else { return [] }
        return p.withMemoryRebound(to: UInt8.self, capacity: n) { Array(UnsafeBufferPointer(start: $0, count: n)) }
    }
}

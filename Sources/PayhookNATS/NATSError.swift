import CNATS

/// A NATS.c failure: the status, the JetStream error code when the server sent one, and the
/// library's last error text (which names the cause: "Authorization Violation", "no responders").
public struct NATSError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int32
    public var jsCode: Int32
    public var message: String

    public init(status: Int32 = 0, jsCode: Int32 = 0, message: String) {
        self.status = status
        self.jsCode = jsCode
        self.message = message
    }

    /// The error of `status` from the calling thread's NATS.c error stack.
    init(_ status: natsStatus, jsCode: jsErrCode = jsErrCode(0), _ context: String) {
        var text = String(cString: natsStatus_GetText(status))
        var last = NATS_OK
        if let detail = nats_GetLastError(&last), last != NATS_OK {
            let d = String(cString: detail)
            if !d.isEmpty && d != text { text += ": " + d }
        }
        if jsCode.rawValue != 0 { text += " (JetStream error \(jsCode.rawValue))" }
        self.init(status: Int32(status.rawValue), jsCode: Int32(jsCode.rawValue), message: context + ": " + text)
    }

    /// JetStream's "stream not found" (10059).
    public var isStreamNotFound: Bool { jsCode == 10059 || status == Int32(NATS_NOT_FOUND.rawValue) }

    public var description: String { message }
}

extension NATSError {
    /// No ack within the publish's wait (the server down, slow, or the connection lost).
    public var isTimeout: Bool { status == Int32(NATS_TIMEOUT.rawValue) }
    /// The connection is closed for good: a new client is needed.
    public var isClosed: Bool { status == Int32(NATS_CONNECTION_CLOSED.rawValue) }
}

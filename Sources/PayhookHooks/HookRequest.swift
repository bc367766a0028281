import PayhookCore

/// The outbound HTTP/1.1 request of one attempt: `POST` of the event JSON (design.md, Hooks).
///
/// No `Connection` field: HTTP/1.1 connections persist by default (RFC 9112 §9.3), and the
/// caller reuses one while the answers allow it (`HTTP1Response.keepAlive`).
public enum HookRequest {
    /// Where an HTTP hook posts: the `Host` value (`127.0.0.1:9000`; `localhost` for a unix
    /// socket) and an origin-form path. Both come from validated config.
    public struct Target: Sendable, Equatable {
        public var host: String
        public var path: String

        public init(host: String, path: String) {
            precondition(HookRequest.isFieldSafe(host) && !host.isEmpty, "invalid Host")
            precondition(path.hasPrefix("/") && path.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }, "invalid path")
            self.host = host
            self.path = path
        }
    }

    /// The request bytes. `timestampS` is the signing time (Unix seconds, the attempt's, not the
    /// event's: receivers reject old timestamps, and a retry is a new message in time).
    public static func build(
        target: Target, event: HookEvent, attempt: UInt32, body: [UInt8], key: HookSigningKey?, timestampS: Int64
    ) -> [UInt8] {
        let id = headerValue(event.id)
        let signing = key.map { HookSigning.headers(key: $0, eventID: id, timestampS: timestampS, body: body) } ?? []
        // Appended as bytes, numbers without a String: this runs on the loop for every attempt.
        var out: [UInt8] = []
        out.reserveCapacity(
            160 + target.path.utf8.count + target.host.utf8.count + id.utf8.count
                + signing.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 } + body.count)
        out += "POST ".utf8
        out += target.path.utf8
        out += " HTTP/1.1\r\nHost: ".utf8
        out += target.host.utf8
        out += "\r\nContent-Type: application/json\r\nContent-Length: ".utf8
        ASCIIDecimal.append(UInt64(body.count), to: &out)
        out += "\r\nPayhook-Event-Id: ".utf8
        out += id.utf8
        out += "\r\nPayhook-Seq: ".utf8
        ASCIIDecimal.append(event.seq, to: &out)
        out += "\r\nPayhook-Attempt: ".utf8
        ASCIIDecimal.append(UInt64(attempt), to: &out)
        out += "\r\n".utf8
        for (name, value) in signing {
            out += name.utf8
            out += ": ".utf8
            out += value.utf8
            out += "\r\n".utf8
        }
        out += "User-Agent: payhookd\r\n\r\n".utf8
        out += body
        return out
    }

    /// An id as a field value. Ids made by `EventID.make` are visible ASCII already (bytes
    /// outside 0x21...0x7E are escaped inside the id), so the header equals the event JSON's
    /// `id`. Ids of records written before that rule may hold other bytes: those bytes (only)
    /// are percent-encoded here, because a CR or LF in a header would let provider data forge
    /// fields. The signatures sign the value as sent, so a receiver verifies what it reads.
    public static func headerValue(_ id: String) -> String {
        guard !id.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return id }
        var out = ""
        for b in id.utf8 {
            if b > 0x20 && b < 0x7F {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(b >> 4)], hex[Int(b & 15)]], as: UTF8.self)
            }
        }
        return out
    }

    static func isFieldSafe(_ s: String) -> Bool { s.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } }
}

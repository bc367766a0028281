import PayhookCore
import PayhookLog
import PayhookStore

extension ConsoleAPI {
    /// `GET /v1/records/{seq}`: one event record as stored: the request (method, path, peer and
    /// client addresses, the kept headers, the raw body as text) and the event JSON, whose
    /// `verified_by`, `unsigned` and `quarantined` are the verification result.
    func record(_ request: Request, _ responder: Responder) {
        guard let text = request.parameters["seq"], text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let seq = UInt64(text) else {
            return responder.fail(.badRequest("seq must be a non-negative integer"))
        }
        guard let location = store.index.location(of: seq) else { return responder.fail(.notFound(path: request.path)) }
        fetcher.fetch([location]) { records, failure in
            if let failure { return responder.fail(.internal("reading the log: \(failure)")) }
            guard let record = records.first, case .event(let stored, _) = record.payload else {
                return responder.fail(.notFound(path: request.path))
            }
            var w = JSONWriter(reservingCapacity: 1024 + stored.body.count * 2)
            w.beginObject()
            w.key("seq")
            w.integer(record.seq)
            w.key("request")
            Self.write(stored, into: &w)
            w.key("event")
            EventJSON.write(record, into: &w)
            w.endObject()
            responder.respond(Response(status: 200, headers: [("Content-Type", "application/json")], body: w.bytes))
        }
    }

    static func write(_ stored: StoredRequest, into w: inout JSONWriter) {
        w.beginObject()
        w.key("method")
        w.string(stored.method)
        w.key("path")
        w.string(stored.path)
        w.key("peer")
        w.string(stored.peerAddress)
        w.key("client")
        w.string(stored.clientAddress)
        w.key("headers")
        w.beginArray()
        for h in stored.headers {
            w.beginArray()
            w.string(h.name)
            w.string(h.value)
            w.endArray()
        }
        w.endArray()
        w.key("body_is_json")
        w.bool(stored.bodyIsJSON)
        w.key("body")  // invalid UTF-8 shows as U+FFFD: the page shows text
        w.string(String(decoding: stored.body, as: UTF8.self))
        w.endObject()
    }
}

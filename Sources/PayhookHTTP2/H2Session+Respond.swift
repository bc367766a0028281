import CNGHTTP2

extension H2Session {
    /// Queues the answer to `stream`: `:status`, `date` (when not empty), `fields` with their
    /// names lowercased (RFC 9113 section 8.2.1) and the connection-specific ones left out
    /// (section 8.2.2), then `content-length` (the body's size). The body is sent unless
    /// `omitBody` (an answer to HEAD) or empty, else the HEADERS frame ends the stream.
    ///
    /// The field list is laid out in buffers the session keeps for every answer: answering
    /// built an array of pairs and a lowercased String per field before.
    public func respond(
        _ stream: Int32, status: Int, date: String, fields: [(name: String, value: String)], body: [UInt8],
        omitBody: Bool = false
    ) {
        fieldBytes.removeAll(keepingCapacity: true)
        fieldSpans.removeAll(keepingCapacity: true)
        addField(":status") { H2Field.appendDecimal(status, to: &$0) }
        if !date.isEmpty { addField("date") { $0 += date.utf8 } }
        for field in fields { addLowercased(field.name, field.value) }
        addField("content-length") { H2Field.appendDecimal(body.count, to: &$0) }
        let sendsBody = !omitBody && !body.isEmpty
        if sendsBody, let st = self.stream(stream) {
            st.answer = body
            st.answerOffset = 0
        }
        fieldBytes.withUnsafeMutableBufferPointer { bytes in
            let base = bytes.baseAddress!
            nameValues.removeAll(keepingCapacity: true)
            for span in fieldSpans {
                nameValues.append(
                    nghttp2_nv(
                        name: base + span.name.lowerBound, value: base + span.value.lowerBound, namelen: span.name.count,
                        valuelen: span.value.count, flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue)))
            }
            nameValues.withUnsafeBufferPointer { nva in
                if sendsBody {
                    var provider = nghttp2_data_provider()
                    provider.read_callback = H2Callbacks.readBody
                    _ = nghttp2_submit_response(session, stream, nva.baseAddress, nva.count, &provider)
                } else {
                    _ = nghttp2_submit_response(session, stream, nva.baseAddress, nva.count, nil)
                }
            }
        }
    }

    private func addField(_ name: StaticString, value: (inout [UInt8]) -> Void) {
        let n = fieldBytes.count
        fieldBytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        let v = fieldBytes.count
        value(&fieldBytes)
        fieldSpans.append((n..<v, v..<fieldBytes.count))
    }

    private func addLowercased(_ name: String, _ value: String) {
        let n = fieldBytes.count
        fieldBytes += name.utf8
        let v = fieldBytes.count
        let skip = fieldBytes.withUnsafeMutableBufferPointer { bytes in
            for i in n..<v where bytes[i] >= UInt8(ascii: "A") && bytes[i] <= UInt8(ascii: "Z") { bytes[i] |= 0x20 }
            return H2Field.isConnectionSpecific(UnsafeBufferPointer(rebasing: bytes[n..<v]))
        }
        if skip {
            fieldBytes.removeSubrange(n...)
            return
        }
        fieldBytes += value.utf8
        fieldSpans.append((n..<v, v..<fieldBytes.count))
    }
}

import CNGHTTP2

/// libnghttp2's callbacks: they only record into the `H2Session` (events, fields, body bytes)
/// and count frames; the connection acts on the events after `mem_recv` returns.
enum H2Callbacks {
    static func install(_ callbacks: OpaquePointer?) {
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, beginHeaders)
        nghttp2_session_callbacks_set_on_header_callback(callbacks, header)
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, frameReceived)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, dataChunk)
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, streamClosed)
        nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, frameSent)
    }

    static func me(_ user: UnsafeMutableRawPointer?) -> H2Session {
        Unmanaged<H2Session>.fromOpaque(user!).takeUnretainedValue()
    }

    static let beginHeaders: nghttp2_on_begin_headers_callback = { _, frame, user in
        guard let frame, frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST else { return 0 }
        me(user).open(frame.pointee.hd.stream_id)
        return 0
    }

    static let header: nghttp2_on_header_callback = { _, frame, name, namelen, value, valuelen, _, user in
        let s = me(user)
        guard let frame, let name, let value else { return 0 }
        // Trailers and heads of streams we no longer track are dropped.
        guard let stream = s.stream(frame.pointee.hd.stream_id), !stream.headComplete else { return 0 }
        stream.headerBytes += namelen + valuelen + 32
        if stream.headerBytes > s.limits.maxHeaderListBytes {
            stream.headersTooLarge = true
            stream.head.fields = []
            return 0
        }
        if stream.headersTooLarge { return 0 }
        let n = UnsafeBufferPointer(start: name, count: namelen)
        let v = UnsafeBufferPointer(start: value, count: valuelen)
        // Names are compared as bytes: only the fields a route reads become Strings.
        // libnghttp2 already refused unknown pseudo-fields and uppercase names (RFC 9113 8.3).
        if namelen > 0 && n[0] == UInt8(ascii: ":") {
            if H2Field.equals(n, ":method") {
                stream.head.method = String(decoding: v, as: UTF8.self)
            } else if H2Field.equals(n, ":path") {
                stream.head.path = String(decoding: v, as: UTF8.self)
            } else if H2Field.equals(n, ":authority") {
                stream.head.authority = String(decoding: v, as: UTF8.self)
            }
            return 0
        }
        if H2Field.equals(n, "content-length") {
            stream.head.contentLength = H2Field.decimal(v)
            stream.declaredBodyBytes = stream.head.contentLength
        }
        // Room for a usual request's fields plus the `host` the driver may add: one allocation.
        if stream.head.fields.capacity == 0 { stream.head.fields.reserveCapacity(8) }
        stream.head.fields.append((String(decoding: n, as: UTF8.self), String(decoding: v, as: UTF8.self)))
        return 0
    }

    static let frameReceived: nghttp2_on_frame_recv_callback = { _, frame, user in
        let s = me(user)
        guard let frame else { return 0 }
        let hd = frame.pointee.hd
        let id = hd.stream_id
        let endStream = hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
        switch UInt32(hd.type) {
        case NGHTTP2_HEADERS.rawValue:
            guard let stream = s.stream(id) else { return 0 }
            if !stream.headComplete {
                stream.headComplete = true
                stream.endedWithHead = endStream
                s.incompleteHeads -= 1
                s.events.append(stream.headersTooLarge ? .headersTooLarge(stream: id) : .head(stream: id))
            }
            if endStream { s.ended(id) }
        case NGHTTP2_DATA.rawValue:
            if endStream { s.ended(id) }
        case NGHTTP2_RST_STREAM.rawValue:
            s.resetReceived += 1
        case NGHTTP2_SETTINGS.rawValue, NGHTTP2_PING.rawValue, NGHTTP2_WINDOW_UPDATE.rawValue, NGHTTP2_PRIORITY.rawValue:
            return s.countControlFrame() ? 0 : Int32(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue)
        default: break
        }
        return 0
    }

    static let dataChunk: nghttp2_on_data_chunk_recv_callback = { session, _, id, data, len, user in
        let s = me(user)
        nghttp2_session_consume_stream(session, id, len)
        guard let data, let stream = s.stream(id), !stream.discarding else {
            nghttp2_session_consume_connection(session, len)
            return 0
        }
        if stream.body.count + len > s.limits.maxBodyBytes {
            s.events.append(.bodyTooLarge(stream: id))
            nghttp2_session_consume_connection(session, len)
            s.discardBody(of: id)
            return 0
        }
        // One allocation for a body of declared length, not a doubling per chunk; never past
        // the limit, whatever was declared.
        if stream.body.capacity == 0, let n = stream.declaredBodyBytes { stream.body.reserveCapacity(min(n, s.limits.maxBodyBytes)) }
        stream.body.append(contentsOf: UnsafeBufferPointer(start: data, count: len))
        // The connection window is given back only as these bytes leave (`released`): what a
        // connection holds stays within `connectionWindowBytes`, enforced by flow control.
        s.buffered(len)
        return 0
    }

    static let streamClosed: nghttp2_on_stream_close_callback = { _, id, errorCode, user in
        let s = me(user)
        guard s.stream(id) != nil else { return 0 }
        s.discardBody(of: id)
        _ = s.forget(id)
        s.events.append(.closed(stream: id, errorCode: errorCode))
        return 0
    }

    /// Once our answer's last frame left while the client is still sending its body, the rest
    /// of the body is not wanted: RST_STREAM(NO_ERROR), as RFC 9113 section 8.1 allows.
    static let frameSent: nghttp2_on_frame_send_callback = { session, frame, user in
        let s = me(user)
        guard let frame else { return 0 }
        let hd = frame.pointee.hd
        let type = UInt32(hd.type)
        if type == NGHTTP2_RST_STREAM.rawValue {
            if frame.pointee.rst_stream.error_code == NGHTTP2_REFUSED_STREAM.rawValue { s.refusedSent += 1 } else { s.resetSent += 1 }
        }
        guard type == NGHTTP2_HEADERS.rawValue || type == NGHTTP2_DATA.rawValue,
            hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0,
            let stream = s.stream(hd.stream_id), !stream.ended
        else { return 0 }
        nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), hd.stream_id, UInt32(NGHTTP2_NO_ERROR.rawValue))
        return 0
    }

    /// The data provider of an answer's body: copies the next part of the stream's `answer`.
    static let readBody: nghttp2_data_source_read_callback = { _, id, buf, length, flags, _, user in
        let s = me(user)
        guard let buf, let flags, let stream = s.stream(id) else {
            flags?.pointee |= UInt32(NGHTTP2_DATA_FLAG_EOF.rawValue)
            return 0
        }
        let n = min(length, stream.answer.count - stream.answerOffset)
        stream.answer.withUnsafeBufferPointer { b in
            buf.update(from: b.baseAddress! + stream.answerOffset, count: n)
        }
        stream.answerOffset += n
        if stream.answerOffset == stream.answer.count {
            flags.pointee |= UInt32(NGHTTP2_DATA_FLAG_EOF.rawValue)
            stream.answer = []
            stream.answerOffset = 0
        }
        return n
    }
}

extension H2Session {
    func ended(_ id: Int32) {
        guard let stream = stream(id) else { return }
        stream.ended = true
        events.append(.end(stream: id))
    }

    /// Counts a control frame in the current one-second window; false once over the limit.
    func countControlFrame() -> Bool {
        if nowMs - controlWindowStartMs >= 1000 {
            controlWindowStartMs = nowMs
            controlFrames = 0
        }
        controlFrames += 1
        if controlFrames > limits.maxControlFramesPerSecond { flooded = true }
        return !flooded
    }
}

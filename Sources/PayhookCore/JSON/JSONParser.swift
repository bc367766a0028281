/// A strict RFC 8259 JSON parser over the caller's bytes.
///
/// Strict by default: only the four whitespace bytes, no byte order mark, no comments, no
/// trailing commas, no leading zeros or `+`, no bytes after the top-level value, strings must be
/// well-formed UTF-8 without raw control characters or lone surrogate escapes, and duplicate
/// member names are refused (see `JSONLimits`). Every error carries the byte offset.
public enum JSONParser {
    /// Parses one JSON text (any value at the top level, RFC 8259 section 2).
    public static func parse(_ bytes: [UInt8], limits: JSONLimits = JSONLimits()) throws(JSONError) -> JSONValue {
        let result = bytes.withUnsafeBufferPointer { buffer in parseResult(buffer, limits: limits) }
        return try result.get()
    }

    /// Parses one JSON text from a buffer the caller owns for the duration of the call.
    public static func parse(
        _ buffer: UnsafeBufferPointer<UInt8>, limits: JSONLimits = JSONLimits()
    ) throws(JSONError) -> JSONValue {
        try parseResult(buffer, limits: limits).get()
    }

    private static func parseResult(_ buffer: UnsafeBufferPointer<UInt8>, limits: JSONLimits) -> Result<JSONValue, JSONError> {
        var cursor = JSONCursor(buffer: buffer, limits: limits)
        do throws(JSONError) {
            return .success(try cursor.document())
        } catch {
            return .failure(error)
        }
    }
}

/// The parser's position in the input. Recursive descent; the recursion depth is bounded by
/// `JSONLimits.maxNestingDepth`, and never beyond `JSONLimits.maxNestingDepthCeiling`.
struct JSONCursor {
    let buffer: UnsafeBufferPointer<UInt8>
    let limits: JSONLimits
    /// The depth enforced: the caller's limit, capped so that no setting can overflow the stack.
    let maxDepth: Int
    var pos = 0
    /// Reused for string contents, so a string costs one allocation (its `String`), not one per byte.
    var scratch: [UInt8] = []

    init(buffer: UnsafeBufferPointer<UInt8>, limits: JSONLimits) {
        self.buffer = buffer
        self.limits = limits
        self.maxDepth = min(limits.maxNestingDepth, JSONLimits.maxNestingDepthCeiling)
    }

    var atEnd: Bool { pos >= buffer.count }

    mutating func document() throws(JSONError) -> JSONValue {
        skipWhitespace()
        let value = try value(depth: 0)
        skipWhitespace()
        if !atEnd { throw JSONError(.trailingBytes, at: pos) }
        return value
    }

    /// RFC 8259 section 2: `ws = *( %x20 / %x09 / %x0A / %x0D )`.
    mutating func skipWhitespace() {
        while pos < buffer.count {
            switch buffer[pos] {
            case 0x20, 0x09, 0x0A, 0x0D: pos += 1
            default: return
            }
        }
    }

    /// The error for a byte that does not fit here: end of input or an unexpected byte.
    func unexpected() -> JSONError {
        atEnd ? JSONError(.unexpectedEnd, at: buffer.count) : JSONError(.unexpectedByte, at: pos)
    }

    mutating func expect(_ byte: UInt8) throws(JSONError) {
        guard !atEnd, buffer[pos] == byte else { throw unexpected() }
        pos += 1
    }

    /// `depth` is the number of containers enclosing this value.
    mutating func value(depth: Int) throws(JSONError) -> JSONValue {
        guard !atEnd else { throw unexpected() }
        switch buffer[pos] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default: throw JSONError(.unexpectedByte, at: pos)
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONError) {
        let text = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for expected in text {
            guard !atEnd, buffer[pos] == expected else { throw unexpected() }
            pos += 1
        }
    }

    mutating func object(depth: Int) throws(JSONError) -> JSONValue {
        if depth > maxDepth { throw JSONError(.tooDeep, at: pos) }
        pos += 1  // "{"
        var members: [(key: String, value: JSONValue)] = []
        var seen: Set<ByteString>? = nil
        skipWhitespace()
        if !atEnd, buffer[pos] == UInt8(ascii: "}") {
            pos += 1
            return .object(members)
        }
        while true {
            guard !atEnd, buffer[pos] == UInt8(ascii: "\"") else { throw unexpected() }
            let keyOffset = pos
            let key = try string()
            if !limits.allowDuplicateKeys, isDuplicate(key, in: members, seen: &seen) {
                throw JSONError(.duplicateKey, at: keyOffset)
            }
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            members.append((key: key, value: try value(depth: depth)))
            skipWhitespace()
            guard !atEnd else { throw unexpected() }
            if buffer[pos] == UInt8(ascii: "}") {
                pos += 1
                return .object(members)
            }
            try expect(UInt8(ascii: ","))
            skipWhitespace()
        }
    }

    /// Linear scan for small objects, a set once an object grows (so n members cost O(n)).
    /// Names compare by bytes (`ByteString`): `"\u00e9"` and `"e\u0301"` are two members.
    /// Shared with the selective parse (`JSONSelection.swift`).
    func isDuplicate(_ key: String, in members: [(key: String, value: JSONValue)], seen: inout Set<ByteString>?) -> Bool {
        if seen == nil, members.count >= 16 { seen = Set(members.map { ByteString($0.key) }) }
        if seen != nil { return !seen!.insert(ByteString(key)).inserted }
        return members.contains { ByteString($0.key) == ByteString(key) }
    }

    mutating func array(depth: Int) throws(JSONError) -> JSONValue {
        if depth > maxDepth { throw JSONError(.tooDeep, at: pos) }
        pos += 1  // "["
        var elements: [JSONValue] = []
        skipWhitespace()
        if !atEnd, buffer[pos] == UInt8(ascii: "]") {
            pos += 1
            return .array(elements)
        }
        while true {
            elements.append(try value(depth: depth))
            skipWhitespace()
            guard !atEnd else { throw unexpected() }
            if buffer[pos] == UInt8(ascii: "]") {
                pos += 1
                return .array(elements)
            }
            try expect(UInt8(ascii: ","))
            skipWhitespace()
        }
    }
}

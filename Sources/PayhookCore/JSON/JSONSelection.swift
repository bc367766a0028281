/// Which parts of a document a selective parse builds (`JSONParser.parse(_:limits:selecting:)`).
///
/// A signature check that needs six fields of a body must not pay for the rest: a forged body
/// of 0.7 MB of array elements cost about 24 ms to turn into `JSONValue`s (one heap box and one
/// `String` per element), all before the signature was looked at. The selective parse still
/// checks every byte against the same strict grammar, but builds values only where asked.
public indirect enum JSONSelection: Sendable, Equatable {
    /// The whole value.
    case all
    /// For an object, only these members, each with its own selection; every other member is
    /// checked and dropped, and only selected names are checked for duplicates. A value that is
    /// not an object yields the same as `.scalars`.
    case members([String: JSONSelection])
    /// A string, number, boolean or null in full; an array or object is checked and comes back
    /// empty (`[]`, `{}`), so its type is known without building its contents.
    case scalars
}

extension JSONParser {
    /// Parses one JSON text, strictly, building only what `selection` asks for (see
    /// `JSONSelection`). Errors are those of `parse(_:limits:)`, except that a duplicate member
    /// name is an error only among selected members.
    public static func parse(_ bytes: [UInt8], limits: JSONLimits = JSONLimits(), selecting selection: JSONSelection) throws(JSONError)
        -> JSONValue
    {
        let result = bytes.withUnsafeBufferPointer { buffer -> Result<JSONValue, JSONError> in
            var cursor = JSONCursor(buffer: buffer, limits: limits)
            do throws(JSONError) {
                cursor.skipWhitespace()
                let value = try cursor.value(selecting: selection, depth: 0)
                cursor.skipWhitespace()
                if !cursor.atEnd { throw JSONError(.trailingBytes, at: cursor.pos) }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

extension JSONCursor {
    /// A value under `selection`; `depth` as in `value(depth:)`.
    mutating func value(selecting selection: JSONSelection, depth: Int) throws(JSONError) -> JSONValue {
        guard !atEnd else { throw unexpected() }
        switch (selection, buffer[pos]) {
        case (.all, _): return try value(depth: depth)
        case (.members(let wanted), UInt8(ascii: "{")): return try selectedObject(wanted, depth: depth + 1)
        case (_, UInt8(ascii: "{")):
            try skipContainer(depth: depth + 1)
            return .object([])
        case (_, UInt8(ascii: "[")):
            try skipContainer(depth: depth + 1)
            return .array([])
        default: return try value(depth: depth)  // a scalar: cheap to build
        }
    }

    /// An object keeping only the `wanted` members.
    private mutating func selectedObject(_ wanted: [String: JSONSelection], depth: Int) throws(JSONError) -> JSONValue {
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
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            // By bytes, not `wanted[key]` (canonical equivalence, see `ByteString`); few members
            // are selected, so linear scans are enough and allocate nothing.
            if let selection = wanted.first(where: { ByteString($0.key) == ByteString(key) })?.value {
                if !limits.allowDuplicateKeys, isDuplicate(key, in: members, seen: &seen) {
                    throw JSONError(.duplicateKey, at: keyOffset)
                }
                members.append((key: key, value: try value(selecting: selection, depth: depth)))
            } else {
                try skipValue(depth: depth)
            }
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

    /// Checks one value against the grammar without building it.
    mutating func skipValue(depth: Int) throws(JSONError) {
        guard !atEnd else { throw unexpected() }
        switch buffer[pos] {
        case UInt8(ascii: "{"), UInt8(ascii: "["): try skipContainer(depth: depth + 1)
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try numberRange()
        default: _ = try value(depth: depth)  // true, false, null (or the error)
        }
    }

    /// Checks an array or object from its opening bracket; member names are checked as strings
    /// but not for duplicates (nothing of them is kept).
    private mutating func skipContainer(depth: Int) throws(JSONError) {
        if depth > maxDepth { throw JSONError(.tooDeep, at: pos) }
        let isObject = buffer[pos] == UInt8(ascii: "{")
        let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        pos += 1
        skipWhitespace()
        if !atEnd, buffer[pos] == close {
            pos += 1
            return
        }
        while true {
            if isObject {
                guard !atEnd, buffer[pos] == UInt8(ascii: "\"") else { throw unexpected() }
                try skipString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                skipWhitespace()
            }
            try skipValue(depth: depth)
            skipWhitespace()
            guard !atEnd else { throw unexpected() }
            if buffer[pos] == close {
                pos += 1
                return
            }
            try expect(UInt8(ascii: ","))
            skipWhitespace()
        }
    }
}

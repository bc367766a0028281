extension JSONValue {
    /// Writes the value compactly (no insignificant whitespace). Numbers are written with their
    /// original text and member order is kept, so `parse(compact(v)) == v` for every parsed `v`.
    public func write(into w: inout JSONWriter) {
        switch self {
        case .object(let members):
            w.beginObject()
            for member in members {
                w.key(member.key)
                member.value.write(into: &w)
            }
            w.endObject()
        case .array(let elements):
            w.beginArray()
            for element in elements { element.write(into: &w) }
            w.endArray()
        case .string(let s): w.string(s)
        case .number(let text): w.raw(Array(text.utf8))
        case .bool(let b): w.bool(b)
        case .null: w.null()
        }
    }

    /// The value as compact JSON bytes.
    public func compactBytes() -> [UInt8] {
        var w = JSONWriter()
        write(into: &w)
        return w.bytes
    }
}

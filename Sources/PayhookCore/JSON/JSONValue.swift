/// A parsed JSON document (RFC 8259), lossless where payments need it.
///
/// Objects keep their members in body order; numbers keep their exact text (`"15.04"`, `"1e3"`,
/// an id beyond Int64), so an amount is never turned into a binary float.
///
/// Names and strings compare by their UTF-8 bytes (`ByteString`), never by Swift's `String ==`,
/// which is Unicode canonical equivalence: `"\u212A"` (KELVIN SIGN) is not the member `K`.
public indirect enum JSONValue: Sendable {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    /// The number's text exactly as in the body (it matched the RFC 8259 `number` grammar).
    case number(String)
    case bool(Bool)
    case null
}

extension JSONValue: Equatable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) where ByteString(x.key) != ByteString(y.key) || x.value != y.value { return false }
            return true
        case (.array(let a), .array(let b)): return a == b
        case (.string(let a), .string(let b)): return ByteString(a) == ByteString(b)
        case (.number(let a), .number(let b)): return ByteString(a) == ByteString(b)
        case (.bool(let a), .bool(let b)): return a == b
        case (.null, .null): return true
        default: return false
        }
    }
}

extension JSONValue {
    /// The value of the first member whose name has exactly the bytes of `key`, or `nil` when
    /// this is not an object or has no such member. (The parser rejects duplicate keys by
    /// default, so "first" is "the".) A canonically equivalent spelling is another name: a
    /// lookalike must never stand for a field a verifier reads.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        for member in members where ByteString(member.key) == ByteString(key) { return member.value }
        return nil
    }

    /// The element at `index`, or `nil` when this is not an array or the index is out of range.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The exact text of a number.
    public var numberText: String? {
        if case .number(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var objectMembers: [(key: String, value: JSONValue)]? {
        if case .object(let members) = self { return members }
        return nil
    }

    public var arrayElements: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// A short name of the value's JSON type (`object`, `array`, `string`, `number`, `bool`,
    /// `null`), for messages.
    public var typeName: String {
        switch self {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .number: "number"
        case .bool: "bool"
        case .null: "null"
        }
    }
}

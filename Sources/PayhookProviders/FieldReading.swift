import PayhookCore

/// Reading required and optional fields; failures name the field in the quarantine reason.
extension JSONValue {
    /// A required, non-empty string.
    func requiredString(_ key: String) throws(Quarantine) -> String {
        switch self[key] {
        case nil, .null?: throw Quarantine("missing_field:\(key)")
        case .string(let s)?:
            guard !s.isEmpty else { throw Quarantine("empty_field:\(key)") }
            return s
        default: throw Quarantine("wrong_type:\(key)")
        }
    }

    /// A required identifier: an integer JSON number (its exact text, any size) or a string.
    /// With `digitsOnly`, a string must be decimal digits too. Control characters are refused:
    /// the id ends up in event ids, URLs and log lines.
    func requiredID(_ key: String, digitsOnly: Bool) throws(Quarantine) -> String {
        switch self[key] {
        case nil, .null?: throw Quarantine("missing_field:\(key)")
        case .number(let text)?:
            guard DecimalText.isInteger(text) else { throw Quarantine("wrong_type:\(key)") }
            return text
        case .string(let s)?:
            guard !s.isEmpty else { throw Quarantine("empty_field:\(key)") }
            if digitsOnly, !DecimalText.isInteger(s) { throw Quarantine("wrong_type:\(key)") }
            if s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                throw Quarantine("invalid_field:\(key)")
            }
            return s
        default: throw Quarantine("wrong_type:\(key)")
        }
    }

    /// An optional string: `nil` when absent or of another type (optional fields never quarantine).
    func optionalString(_ key: String) -> String? { self[key]?.stringValue }

    /// An optional non-empty string.
    func optionalNonEmptyString(_ key: String) -> String? {
        guard let s = self[key]?.stringValue, !s.isEmpty else { return nil }
        return s
    }
}

/// Decimal texts for amounts and ids: never converted to binary floating point.
enum DecimalText {
    /// `-?[0-9]+`.
    static func isInteger(_ text: String) -> Bool {
        var utf8 = Substring(text).utf8[...]
        if utf8.first == UInt8(ascii: "-") { utf8 = utf8.dropFirst() }
        return !utf8.isEmpty && utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// `-?[0-9]+(\.[0-9]+)?`: a plain decimal, no exponent, no grouping, no unit.
    static func isPlainDecimal(_ text: String) -> Bool {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard isInteger(String(parts[0])) else { return false }
        guard parts.count == 2 else { return true }
        return !parts[1].isEmpty && parts[1].utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// An amount as exact decimal text: a JSON number or a string holding a plain decimal, kept
    /// verbatim. `nil` for anything else (`"1,000 usdc"`, `1e3`, objects): the text stays in `data`.
    static func amount(_ value: JSONValue?) -> String? {
        switch value {
        case .number(let text)?, .string(let text)?: isPlainDecimal(text) ? text : nil
        default: nil
        }
    }
}

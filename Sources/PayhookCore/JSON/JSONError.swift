/// Why a body is not strict RFC 8259 JSON, and where: `offset` is the byte offset (from 0) of
/// the offending byte, or the body's length when it ended too early.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// The body ended inside a value (or was empty).
        case unexpectedEnd = "unexpected_end"
        /// A byte that cannot start or continue a value here (includes a byte order mark).
        case unexpectedByte = "unexpected_byte"
        /// A number outside the RFC 8259 section 6 grammar: leading zero, `+`, `.5`, `1.`, `1e`.
        case invalidNumber = "invalid_number"
        /// A backslash escape other than the nine of RFC 8259 section 7, or a bad `\u` hex digit.
        case invalidEscape = "invalid_escape"
        /// A `\uD800`-`\uDFFF` escape that is not part of a high+low surrogate pair.
        case loneSurrogate = "lone_surrogate"
        /// A string holding bytes that are not well-formed UTF-8 (RFC 3629 section 4).
        case invalidUTF8 = "invalid_utf8"
        /// An unescaped control character (U+0000 to U+001F) inside a string.
        case controlCharacter = "control_character"
        /// Bytes after the top-level value (other than whitespace).
        case trailingBytes = "trailing_bytes"
        /// Arrays and objects nested deeper than `JSONLimits.maxNestingDepth` (or its ceiling).
        case tooDeep = "too_deep"
        /// An object with two members of the same name (RFC 8259 section 4 leaves the meaning
        /// open; a signed body must not mean two things).
        case duplicateKey = "duplicate_key"
    }

    public var kind: Kind
    public var offset: Int

    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    public var description: String { "\(kind.rawValue) at byte \(offset)" }
}

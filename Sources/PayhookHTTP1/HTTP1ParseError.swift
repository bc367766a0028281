/// Why the parser refused a request: a kind, the offset of the offending byte counted from the
/// first byte of the request line, and, for field-level errors, the field's lowercased name.
/// ``status`` maps every kind to the HTTP status to answer (then close the connection).
public struct HTTP1ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable, CaseIterable {
        // Request line.
        case invalidMethod, methodTooLong, invalidRequestLine, invalidTarget, fragmentInTarget
        case asteriskFormNotOptions, invalidVersion, unsupportedVersion, requestLineTooLong
        // Line structure.
        case bareCR, bareLF, leadingEmptyLine
        // Field lines.
        case obsFold, whitespaceBeforeFirstField, whitespaceBeforeColon, missingColon
        case emptyFieldName, invalidFieldName, invalidFieldValue
        case headerTooLarge, tooManyHeaders
        // Host.
        case missingHost, duplicateHost, invalidHost, hostMismatch
        // Framing.
        case invalidContentLength, duplicateContentLength, invalidTransferEncoding
        case duplicateTransferEncoding, contentLengthWithTransferEncoding, chunkedNotLast
        case transferEncodingInHTTP10, unsupportedTransferCoding, duplicateContentType
        case unexpectedBody, bodyTooLarge, unsupportedExpectation
        // Chunked body.
        case invalidChunkSize, chunkSizeOverflow, invalidChunkExtension, chunkExtensionTooLong
        case missingChunkDataCRLF, forbiddenTrailerField, trailersTooLarge
    }

    public var kind: Kind
    /// Offset of the offending byte from the first byte of the request.
    public var offset: Int
    /// The field concerned (lowercased), when the error is about one field.
    public var field: String?

    public init(_ kind: Kind, offset: Int, field: String? = nil) {
        self.kind = kind
        self.offset = offset
        self.field = field
    }

    /// The status to answer: the single place where parse errors become HTTP statuses.
    public var status: Int {
        switch kind {
        case .requestLineTooLong: 414
        case .headerTooLarge, .tooManyHeaders, .trailersTooLarge: 431
        case .bodyTooLarge: 413
        case .unsupportedTransferCoding: 501
        case .unsupportedVersion: 505
        case .unsupportedExpectation: 417
        case .invalidMethod, .methodTooLong, .invalidRequestLine, .invalidTarget, .fragmentInTarget,
            .asteriskFormNotOptions, .invalidVersion, .bareCR, .bareLF, .leadingEmptyLine, .obsFold,
            .whitespaceBeforeFirstField, .whitespaceBeforeColon, .missingColon, .emptyFieldName,
            .invalidFieldName, .invalidFieldValue, .missingHost, .duplicateHost, .invalidHost,
            .hostMismatch, .invalidContentLength, .duplicateContentLength, .invalidTransferEncoding,
            .duplicateTransferEncoding, .contentLengthWithTransferEncoding, .chunkedNotLast,
            .transferEncodingInHTTP10, .duplicateContentType, .unexpectedBody, .invalidChunkSize,
            .chunkSizeOverflow, .invalidChunkExtension, .chunkExtensionTooLong, .missingChunkDataCRLF,
            .forbiddenTrailerField:
            400
        }
    }

    public var description: String {
        "\(kind) at byte \(offset)" + (field.map { " (\($0))" } ?? "") + " -> \(status)"
    }
}

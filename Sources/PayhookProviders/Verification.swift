/// The result of checking a request's signature.
public enum Verification: Sendable, Equatable {
    /// Authentic; `by` names the scheme (`hmac-sha256-hex`, `sha512-fields`, `none`, ...).
    case verified(by: String)
    /// Not authentic (answer 401 and keep it in the rejects store).
    case rejected(RejectReason)

    public var isVerified: Bool {
        if case .verified = self { return true }
        return false
    }
}

/// Why a request failed verification. Raw values are stable (logs, metrics, rejects store).
public enum RejectReason: String, Sendable, Equatable, CaseIterable {
    /// No signature header, or an empty one.
    case missingSignature = "missing_signature"
    /// The signature header appears more than once.
    case duplicateSignature = "duplicate_signature"
    /// Not hex/base64 as the scheme requires, or not the digest's length.
    case malformedSignature = "malformed_signature"
    /// Well-formed, but no configured secret produces it.
    case signatureMismatch = "signature_mismatch"
    /// Noventiq signs fields of the body: a body that is not a JSON object, or whose signed
    /// fields are objects, arrays or booleans, cannot be checked.
    case unverifiableBody = "unverifiable_body"
    /// Noventiq joins its signed fields with `;`: a signed value holding one would let field
    /// boundaries shift (`"EUR;USD"` as the currency), so one signature could serve two bodies.
    /// No genuine value contains it.
    case separatorInSignedField = "separator_in_signed_field"
    /// No secret is configured that applies to this request.
    case noSecret = "no_secret"
    /// rsa-sha256: none of the configured keys is a usable PEM RSA public key.
    case unusableKey = "unusable_key"

    /// A message for the 401 answer and the log; never contains secret material.
    public var message: String {
        switch self {
        case .missingSignature: "the signature header is missing or empty"
        case .duplicateSignature: "the signature header appears more than once"
        case .malformedSignature: "the signature is not in the expected encoding or length"
        case .signatureMismatch: "the signature does not match"
        case .unverifiableBody: "the body cannot be checked against the signature"
        case .separatorInSignedField: "a signed field contains the separator ';'"
        case .noSecret: "no secret is configured for this request"
        case .unusableKey: "no configured public key is usable"
        }
    }
}

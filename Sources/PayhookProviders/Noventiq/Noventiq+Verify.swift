import PayhookCore

/// Noventiq Payments notifications (see `providers.md`).
public enum Noventiq {
    /// The members the signature covers, and only those: verification builds nothing else of
    /// the body (a forged body's size costs a strict scan, not a tree of values).
    static let signedSelection = JSONSelection.members([
        "event": .scalars, "order_id": .scalars, "create_date": .scalars, "currency": .scalars, "payment_method": .scalars,
        "payment": .members(["payment_method": .scalars]), "customer": .members(["email": .scalars]),
    ])

    /// Why a body's signed string cannot be formed.
    public enum SignedStringError: Error, Equatable {
        /// A signed field is an object, array or boolean, whose text form is not defined.
        case notText
        /// A signed value contains the separator `;`.
        case separator
    }

    /// The signed string without the secret: `;event;order_id;create_date;payment_method;currency;
    /// customer.email`, each value as it appears in the body (strings unescaped, numbers as their
    /// text, missing or null as the empty string).
    public static func signedSuffix(of body: JSONValue) throws(SignedStringError) -> [UInt8] {
        let paymentMethod: JSONValue? = {
            if let nested = body["payment"]?["payment_method"], !nested.isNull { return nested }
            return body["payment_method"]
        }()
        let values = [body["event"], body["order_id"], body["create_date"], paymentMethod, body["currency"], body["customer"]?["email"]]
        var suffix: [UInt8] = []
        for value in values {
            suffix.append(UInt8(ascii: ";"))
            switch value {
            case nil, .null?: break
            case .string(let s)?:
                if s.utf8.contains(UInt8(ascii: ";")) { throw .separator }
                suffix.append(contentsOf: s.utf8)
            case .number(let text)?: suffix.append(contentsOf: text.utf8)  // the number grammar has no ";"
            default: throw .notText
            }
        }
        return suffix
    }

    /// The lowercase hex SHA-512 Noventiq sends for `body` under `secret`; `nil` when the body
    /// cannot be signed (see `SignedStringError`).
    public static func signature(secret: [UInt8], body: JSONValue) -> String? {
        guard let suffix = try? signedSuffix(of: body) else { return nil }
        return Encoding.hex(Crypto.sha512(secret + suffix))
    }

    static func verify(_ signature: Substring, source: ProviderSource, body: [UInt8]) -> Verification {
        guard let provided = Encoding.decodeHex(signature), provided.count == Crypto.Hash.sha512.digestBytes else {
            return .rejected(.malformedSignature)
        }
        // Only an object can carry the signed fields: anything else is refused without a scan.
        guard body.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) == UInt8(ascii: "{"),
            let root = try? JSONParser.parse(body, limits: source.jsonLimits, selecting: signedSelection), root.objectMembers != nil
        else { return .rejected(.unverifiableBody) }
        let suffix: [UInt8]
        do throws(SignedStringError) {
            suffix = try signedSuffix(of: root)
        } catch {
            return .rejected(error == .separator ? .separatorInSignedField : .unverifiableBody)
        }
        // Per-event secrets first, then the defaults; all of them are tried.
        let event = root["event"]?.stringValue
        let candidates = (event.flatMap { source.eventSecrets[$0] } ?? []) + source.secrets
        guard !candidates.isEmpty else { return .rejected(.noSecret) }
        let expected = candidates.map { Crypto.sha512($0 + suffix) }
        return Providers.anyMatches(expected, provided) ? .verified(by: source.scheme.rawValue) : .rejected(.signatureMismatch)
    }
}

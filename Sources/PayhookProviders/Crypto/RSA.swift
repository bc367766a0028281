import CCrypto
import Synchronization

extension Crypto {
    /// The outcome of an RSA signature check.
    public enum SignatureCheck: Sendable, Equatable {
        case valid
        case invalid
        /// The key is not a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) that OpenSSL can read.
        case unusableKey
    }

    /// Verifies an RSASSA-PKCS1-v1_5 signature with SHA-256 (RFC 8017 section 8.2) of `message`
    /// under the PEM public key `publicKeyPEM`. The corresponding C functions are
    /// `PEM_read_bio_PUBKEY` and `EVP_DigestVerify`.
    public static func verifyRSASHA256(publicKeyPEM: [UInt8], message: [UInt8], signature: [UInt8]) -> SignatureCheck {
        defer { ERR_clear_error() }  // leave no failure behind on this thread's OpenSSL error queue
        guard let cached = PublicKeyCache.shared.key(publicKeyPEM) else { return .unusableKey }
        let key = cached.pointer
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA else { return .unusableKey }
        guard let context = EVP_MD_CTX_new() else { return .invalid }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, key) == 1 else { return .unusableKey }
        let result = signature.withUnsafeBytes { s in
            message.withUnsafeBytes { m in
                EVP_DigestVerify(
                    context, (s.baseAddress ?? emptyInput).assumingMemoryBound(to: UInt8.self), s.count,
                    (m.baseAddress ?? emptyInput).assumingMemoryBound(to: UInt8.self), m.count)
            }
        }
        return result == 1 ? .valid : .invalid
    }

    /// Whether `pem` holds a public RSA key usable by `verifyRSASHA256` (for config checks).
    public static func isUsableRSAPublicKey(_ pem: [UInt8]) -> Bool {
        defer { ERR_clear_error() }
        guard let key = readPublicKey(pem) else { return false }
        defer { EVP_PKEY_free(key) }
        return EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA
    }

    static func readPublicKey(_ pem: [UInt8]) -> OpaquePointer? {
        guard !pem.isEmpty, pem.count <= Int(Int32.max) else { return nil }
        return pem.withUnsafeBytes { p -> OpaquePointer? in
            guard let bio = BIO_new_mem_buf(p.baseAddress, Int32(p.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PUBKEY(bio, nil, nil, nil)
        }
    }
}

/// Parsed public keys by their PEM bytes. OpenSSL 3 decodes a PEM key in about 230 µs, more than
/// ten times the cost of the verification itself (about 16 µs), and a source's keys change only
/// on reload; without the cache every forged request would cost the decode. Keys that do not
/// parse are not cached. Bounded: cleared when full (a reload that rotates keys at most refills it).
final class PublicKeyCache: Sendable {
    static let shared = PublicKeyCache()
    /// Keys kept at most. Default 64 (a source rarely has more than two).
    static let maxEntries = 64

    /// Owns one parsed key; freed when the last user lets go. OpenSSL 3 keys are safe to use
    /// from several threads for verification (read-only).
    final class Key: @unchecked Sendable {
        let pointer: OpaquePointer
        init(_ pointer: OpaquePointer) { self.pointer = pointer }
        deinit { EVP_PKEY_free(pointer) }
    }

    private let keys = Mutex<[[UInt8]: Key]>([:])

    /// The parsed key of `pem`, or nil when OpenSSL cannot read it.
    func key(_ pem: [UInt8]) -> Key? {
        if let hit = keys.withLock({ $0[pem] }) { return hit }
        guard let pointer = Crypto.readPublicKey(pem) else { return nil }
        let key = Key(pointer)
        keys.withLock { table in
            if table.count >= Self.maxEntries { table.removeAll() }
            table[pem] = key
        }
        return key
    }

    var count: Int { keys.withLock { $0.count } }
}

import CCrypto

/// Hashes and MACs over the system's OpenSSL libcrypto (one-shot APIs, no contexts kept).
public enum Crypto {
    /// A SHA-2 digest algorithm.
    public enum Hash: String, Sendable, CaseIterable {
        case sha256, sha512

        /// Digest length in bytes.
        public var digestBytes: Int { self == .sha256 ? 32 : 64 }

        var evp: OpaquePointer { self == .sha256 ? EVP_sha256() : EVP_sha512() }
    }

    /// The digest of `message`. The corresponding C function is `EVP_Digest`.
    public static func digest(_ hash: Hash, _ message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = message.withUnsafeBytes { m in
            EVP_Digest(m.baseAddress ?? emptyInput, m.count, &out, &length, hash.evp, nil)
        }
        // EVP_Digest fails only on allocation failure or an unavailable algorithm; neither is
        // recoverable, and returning a wrong digest would be worse.
        precondition(ok == 1 && Int(length) == hash.digestBytes, "EVP_Digest failed")
        return Array(out.prefix(Int(length)))
    }

    public static func sha256(_ message: [UInt8]) -> [UInt8] { digest(.sha256, message) }
    public static func sha512(_ message: [UInt8]) -> [UInt8] { digest(.sha512, message) }

    /// HMAC (RFC 2104) of `message` under `key`. The corresponding C function is `HMAC`.
    public static func hmac(_ hash: Hash, key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let result = key.withUnsafeBytes { k in
            message.withUnsafeBytes { m in
                HMAC(
                    hash.evp, k.baseAddress ?? emptyInput, Int32(k.count),
                    (m.baseAddress ?? emptyInput).assumingMemoryBound(to: UInt8.self), m.count, &out, &length)
            }
        }
        precondition(result != nil && Int(length) == hash.digestBytes, "HMAC failed")
        return Array(out.prefix(Int(length)))
    }

    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] { hmac(.sha256, key: key, message: message) }
    public static func hmacSHA512(key: [UInt8], message: [UInt8]) -> [UInt8] { hmac(.sha512, key: key, message: message) }

    /// Whether `a` and `b` are equal, in time that depends only on their lengths (which are not
    /// secret: a digest's length is public). The corresponding C function is `CRYPTO_memcmp`.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        return a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 }
        }
    }

    /// A valid pointer for empty inputs: OpenSSL may dereference a null pointer even for length 0.
    nonisolated(unsafe) static let emptyInput = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))
}

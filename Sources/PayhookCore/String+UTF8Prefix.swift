extension String {
    /// The longest prefix of at most `maxBytes` UTF-8 bytes that ends on a scalar boundary
    /// (so the result is still valid UTF-8). The string itself when it fits.
    public func prefix(utf8Bytes maxBytes: Int) -> String {
        if utf8.count <= maxBytes { return self }
        var out = ""
        var used = 0
        for scalar in unicodeScalars {
            let width = String(scalar).utf8.count
            if used + width > maxBytes { break }
            used += width
            out.unicodeScalars.append(scalar)
        }
        return out
    }
}

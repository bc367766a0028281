/// Unsigned integers appended to a byte buffer in decimal, without a temporary String (status
/// lines, Content-Length, JSON numbers on hot paths).
public enum ASCIIDecimal {
    @inline(__always)
    public static func append(_ value: UInt64, to out: inout [UInt8]) { forEachDigit(value) { out.append($0) } }

    /// Calls `body` with each ASCII digit of `value`, most significant first (the writers that
    /// place bytes by pointer: the response head, the payment answer).
    @inlinable @inline(__always)
    public static func forEachDigit(_ value: UInt64, _ body: (UInt8) -> Void) {
        var divisor: UInt64 = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            body(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}

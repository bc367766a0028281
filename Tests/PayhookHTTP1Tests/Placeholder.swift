import Testing

@Suite struct PayhookHTTP1TestsPlaceholder {
    @Test("the target builds") func builds() { #expect(Bool(true)) }
}

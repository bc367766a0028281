import Testing

@Suite struct PayhookLogTestsPlaceholder {
    @Test("the target builds") func builds() { #expect(Bool(true)) }
}

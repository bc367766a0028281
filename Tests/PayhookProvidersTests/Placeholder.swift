import Testing

@Suite struct PayhookProvidersTestsPlaceholder {
    @Test("the target builds") func builds() { #expect(Bool(true)) }
}

import Testing

@Suite struct IntegrationTestsPlaceholder {
    @Test("the target builds") func builds() { #expect(Bool(true)) }
}

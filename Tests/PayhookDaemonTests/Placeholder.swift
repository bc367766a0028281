import Testing

@Suite struct PayhookDaemonTestsPlaceholder {
    @Test("the target builds") func builds() { #expect(Bool(true)) }
}

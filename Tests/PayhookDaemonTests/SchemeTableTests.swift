import Testing

@testable import PayhookDaemon

/// `SchemeTable.scheme(ofSource:)`: a source's scheme by the bytes of its name, compared one by
/// one up to `listedSources` sources and hashed past them, with the same answers either way.
@Suite struct SchemeTableTests {
    func settings(sources n: Int) -> LiveSettings {
        var config = Config()
        config.sources = (0..<n).map { i in
            i % 2 == 0
                ? Config.Source(name: "nonstopay-\(i)", provider: .nonstopay, kind: "payin", signature: .hmacSHA256Hex, secrets: [Array("k".utf8)])
                : Config.Source(name: "noventiq-\(i)", provider: .noventiq, kind: "payment", signature: .sha512Fields, secrets: [Array("k".utf8)])
        }
        return LiveSettings(config)
    }

    func scheme(_ s: LiveSettings, _ name: String) -> String? {
        var name = name
        return name.withUTF8 { s.schemeTable.scheme(ofSource: UnsafeRawBufferPointer($0)) }
    }

    @Test("at listedSources sources and one more: each name finds its scheme, a prefix or an unknown name none")
    func listedAndHashed() {
        for n in [SchemeTable.listedSources, SchemeTable.listedSources + 1] {
            let s = settings(sources: n)
            for i in 0..<n {
                let name = i % 2 == 0 ? "nonstopay-\(i)" : "noventiq-\(i)"
                #expect(scheme(s, name) == s.schemes[name], "\(n) sources: \(name)")
                #expect(scheme(s, name) != nil)
            }
            #expect(scheme(s, "nonstopay-") == nil && scheme(s, "nonstopay-0x") == nil && scheme(s, "") == nil)
        }
    }
}

import Testing

@testable import PayhookDaemon

/// config/payhookd.toml and README's key table are generated from the table of settings
/// (`make config`); these fail when a committed copy is stale, and check the example itself.
@Suite struct ConfigExampleTests {
    typealias S = ConfigTestSupport

    @Test("config/payhookd.toml is what `make config` generates from the table")
    func exampleUpToDate() {
        let committed = S.read(S.repoRoot + "/config/payhookd.toml")
        #expect(committed == Settings.exampleConfig(), "config/payhookd.toml is stale: run `make config`")
    }

    @Test("README's key table is what `make config` generates from the table")
    func readmeUpToDate() throws {
        let readme = S.read(S.repoRoot + "/README.md")
        let begin = try #require(readme.firstRange(of: Settings.readmeBegin + "\n"), "README has no begin marker")
        let end = try #require(readme.firstRange(of: Settings.readmeEnd), "README has no end marker")
        #expect(String(readme[begin.upperBound..<end.lowerBound]) == Settings.readmeTable(), "README key table is stale: run `make config`")
    }

    @Test("every key of every section is in the example with a comment, and in the README table")
    func everyKeyDocumented() {
        let example = Settings.exampleConfig()
        let table = Settings.readmeTable()
        func check<Root>(_ section: SettingsSection<Root>) {
            for key in section.keys {
                let line = example.split(separator: "\n").first { l in
                    l.hasPrefix("\(key) = ") || l.hasPrefix("# \(key) = ") || l.hasPrefix("# [sources.\(key)]")
                }
                #expect(line?.contains(" # ") == true, "\(section.name).\(key)")
                #expect(table.contains("| `[\(section.name)] \(key)` |"), "\(section.name).\(key)")
            }
        }
        check(Settings.server)
        check(Settings.storage)
        check(Settings.sources)
        check(Settings.hooks)
    }

    @Test("the example loads, and its [server] and [storage] values are the defaults")
    func exampleLoadsWithDefaults() throws {
        let text = Settings.exampleConfig()
        let files = ["nonstopay.key": "k1\n", "noventiq.key": "k2\n"]
        let config = try S.load(text, extraFiles: files).get()
        #expect(config.server == Config.Server())
        var storage = Config.Storage()
        storage.dir = config.storage.dir
        #expect(config.storage == storage)
        #expect(config.storage.dir == "/var/lib/payhookd")
        #expect(config.sources.map(\.name) == ["nonstopay-payin", "nonstopay-payout", "noventiq"])
        #expect(config.hooks.first?.timeoutMs == Config.Hook(name: "h", target: .url("")).timeoutMs)
    }

    @Test("the example with a UTF-8 byte order mark in front loads the same")
    func exampleWithBOM() throws {
        let files = ["nonstopay.key": "k1\n", "noventiq.key": "k2\n"]
        let plain = try S.load(Settings.exampleConfig(), extraFiles: files).get()
        let marked = try S.load("\u{FEFF}" + Settings.exampleConfig(), extraFiles: files).get()
        #expect(marked.server == plain.server && marked.sources.count == plain.sources.count && marked.hooks.count == plain.hooks.count)
    }
}

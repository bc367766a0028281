import Testing

@testable import PayhookDaemon

/// Every refusal is a `ConfigError` whose description is `file:line: message`.
@Suite struct ConfigErrorTests {
    typealias S = ConfigTestSupport

    @Test("each invalid config is refused at the right line with the right message", arguments: configErrorCases)
    func refused(_ c: ConfigErrorCase) {
        let path = S.configFile(c.text, extraFiles: c.files)
        let dir = ConfigFiles.folder(of: path)
        defer { S.removeTree(dir) }
        do {
            let config = try Config.load(path: path, environment: [:])
            Issue.record("loaded: \(config)")
        } catch {
            let expected = c.expected.replacing("`D/", with: "`\(dir)/").replacing("`D`", with: "`\(dir)`")
            #expect(error.file == path)
            #expect("F:\(error.line): \(error.message)" == expected)
            #expect(error.description == "\(path):\(error.line): \(error.message)")
        }
    }

    @Test("a config file that cannot be read is reported as `file: message` (line 0)")
    func unreadableConfig() {
        #expect(throws: ConfigError(file: "/nonexistent/payhookd.toml", line: 0, message: "cannot read config: No such file or directory")) {
            try Config.load(path: "/nonexistent/payhookd.toml", environment: [:])
        }
        let dir = S.makeTempDir()
        defer { S.removeTree(dir) }
        #expect(throws: ConfigError(file: dir, line: 0, message: "cannot read config: Is a directory")) {
            try Config.load(path: dir, environment: [:])
        }
        let error = ConfigError(file: "/x.toml", line: 0, message: "m")
        #expect(error.description == "/x.toml: m")
        #expect(ConfigError(file: "/x.toml", line: 7, message: "m").description == "/x.toml:7: m")
    }

    @Test("a config file larger than the TOML document limit is refused before parsing")
    func configFileTooLarge() throws {
        let text = "# pad\n" + S.nonstopaySource  // parse it at exactly its size, then one byte less
        let size = text.utf8.count
        let path = S.configFile(text)
        defer { S.removeTree(ConfigFiles.folder(of: path)) }
        let fits = ConfigLoadLimits(toml: TOMLLimits(maxDocumentBytes: size))
        _ = try Config.load(path: path, environment: [:], limits: fits)
        let tooSmall = ConfigLoadLimits(toml: TOMLLimits(maxDocumentBytes: size - 1))
        #expect(throws: ConfigError(file: path, line: 0, message: "cannot read config: larger than \(size - 1) bytes")) {
            try Config.load(path: path, environment: [:], limits: tooSmall)
        }
    }

    @Test("the first of several errors is the one reported, in document order")
    func firstErrorWins() {
        let message = S.loadError("[server]\nmax_connections = 0\n[storage]\nretention_days = 0")
        #expect(message == "F:2: `max_connections` = 0 is out of range (2...1000000)")
    }
}

import PayhookCore

// [[hooks]]: exactly one target (url or command), local only; filters name known sources and
// statuses.

extension ConfigDecoder {
    func hook(_ t: ConfigTable, sources: [Config.Source], _ context: ConfigDecodeContext) throws(ConfigError) -> Config.Hook {
        try t.rejectUnknownKeys(Settings.hooks.keys)
        let (name, nameLine) = try t.requiredString("name")
        try checkName(name, line: nameLine, what: "hook", in: t)
        var hook = Config.Hook(name: name, target: try target(t, name: name))
        hook.line = t.table.line
        for (source, line) in try t.strings("sources") ?? [] {
            guard sources.contains(where: { $0.name == source }) else {
                var message = "hook `\(name)` names unknown source `\(source)`"
                if let near = Suggestion.closest(to: source, among: sources.map(\.name)) { message += " (did you mean `\(near)`?)" }
                throw t.error(line, message)
            }
            hook.sources.append(source)
        }
        for (status, line) in try t.strings("statuses") ?? [] {
            guard let s = PaymentStatus(rawValue: status) else {
                let all = PaymentStatus.allCases.map(\.rawValue).joined(separator: " | ")
                throw t.error(line, "hook `\(name)` names unknown status `\(status)` (\(all))")
            }
            hook.statuses.append(s)
        }
        try Settings.hooks.decode(into: &hook, t, context)
        try checkNATS(&hook, t, sources: sources)
        return hook
    }

    private func target(_ t: ConfigTable, name: String) throws(ConfigError) -> Config.Hook.Target {
        let url = try t.string("url")
        let command = try t.strings("command")
        if let urls = try natsURLs(t, name: name, others: url != nil || command != nil) { return .nats(urls) }
        switch (url, command) {
        case (let (text, line)?, nil):
            if case .failure(let invalid) = ConfigAddresses.hookURL(text) {
                throw t.error(line, "hook `\(name)`: invalid url `\(text)`: \(invalid.reason)")
            }
            return .url(text)
        case (nil, let argv?):
            guard let program = argv.first else { throw t.error(t.line(of: "command"), "hook `\(name)`: command is empty") }
            guard program.value.hasPrefix("/") else {
                throw t.error(program.line, "hook `\(name)`: command must start with an absolute program path (no shell, no PATH lookup)")
            }
            return .command(argv.map(\.value))
        case (nil, nil):
            throw t.error(t.table.line, "hook `\(name)` needs `url`, `command` or `nats_url`")
        case (_?, _?):
            throw t.error(t.line(of: "command"), "hook `\(name)` has both `url` and `command`; keep one")
        }
    }

    func signingSecret(_ t: ConfigTable) throws(ConfigError) -> [UInt8]? {
        let literal = try t.string("signing_secret")
        let file = try t.string("signing_secret_file")
        switch (literal, file) {
        case (nil, nil): return nil
        case (_?, _?): throw t.error(t.line(of: "signing_secret_file"), "set either signing_secret or signing_secret_file, not both")
        case (let (value, line)?, nil):
            guard !value.isEmpty else { throw t.error(line, "`signing_secret` must not be empty") }
            return Array(value.utf8)
        case (nil, let (name, line)?):
            return try readSecret(name, line: line, in: t)
        }
    }
}

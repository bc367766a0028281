/// Typed, line-aware access to one TOML table of the config (`[server]`, one `[[sources]]`, ...).
///
/// Every accessor reports wrong types as `ConfigError` at the key's line and never quotes the
/// value, so that a mistyped secret stays out of messages.
struct ConfigTable {
    let table: TOMLTable
    /// How messages name the table: `[server]`, `[[sources]]`, ...
    let name: String
    let file: String

    func error(_ line: Int, _ message: String) -> ConfigError {
        ConfigError(file: file, line: line, message: message)
    }

    /// Refuses keys outside `known`, suggesting the closest known key.
    func rejectUnknownKeys(_ known: [String]) throws(ConfigError) {
        for (key, value) in table.pairs where !known.contains(key) {
            var message = "unknown key `\(key)` in \(name)"
            if let near = Suggestion.closest(to: key, among: known) { message += " (did you mean `\(near)`?)" }
            throw error(value.line, message)
        }
    }

    func line(of key: String) -> Int { table[key]?.line ?? table.line }

    private func typeError(_ key: String, _ value: TOMLValue, _ expected: String) -> ConfigError {
        error(value.line, "`\(key)` in \(name) must be \(expected), not \(article(value.typeName))")
    }

    private func article(_ type: String) -> String {
        type == "integer" || type == "array" ? "an \(type)" : "a \(type)"
    }

    func string(_ key: String) throws(ConfigError) -> (value: String, line: Int)? {
        guard let value = table[key] else { return nil }
        guard case .string(let s) = value.kind else { throw typeError(key, value, "a string") }
        return (s, value.line)
    }

    func requiredString(_ key: String) throws(ConfigError) -> (value: String, line: Int) {
        guard let found = try string(key) else { throw error(table.line, "\(name) needs `\(key)`") }
        return found
    }

    func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let value = table[key] else { return nil }
        guard case .boolean(let b) = value.kind else { throw typeError(key, value, "a boolean") }
        return b
    }

    /// An integer within `limit`, or `nil` when absent.
    func integer(_ key: String, _ limit: ConfigLimit) throws(ConfigError) -> Int? {
        guard let value = table[key] else { return nil }
        guard case .integer(let n) = value.kind else { throw typeError(key, value, "an integer") }
        guard n >= Int64(limit.min), n <= Int64(limit.max) else {
            throw error(value.line, "`\(key)` = \(n) is out of range (\(limit.min)...\(limit.max))")
        }
        return Int(n)
    }

    /// A list of strings, each with its own line. `orSingle` also accepts one string.
    func strings(_ key: String, orSingle: Bool = false) throws(ConfigError) -> [(value: String, line: Int)]? {
        guard let value = table[key] else { return nil }
        let expected = orSingle ? "a string or a list of strings" : "a list of strings"
        if orSingle, case .string(let s) = value.kind { return [(s, value.line)] }
        guard case .array(let elements) = value.kind else { throw typeError(key, value, expected) }
        var out: [(value: String, line: Int)] = []
        for element in elements {
            guard case .string(let s) = element.kind else {
                throw error(element.line, "`\(key)` in \(name) must be \(expected); found \(article(element.typeName))")
            }
            out.append((s, element.line))
        }
        return out
    }

    func subtable(_ key: String, name subName: String) throws(ConfigError) -> ConfigTable? {
        guard let value = table[key] else { return nil }
        guard case .table(let t) = value.kind else { throw typeError(key, value, "a table") }
        return ConfigTable(table: t, name: subName, file: file)
    }

    /// An array of tables: `[[key]]` headers or a value array of inline tables.
    func tables(_ key: String) throws(ConfigError) -> [ConfigTable] {
        guard let value = table[key] else { return [] }
        guard let elements = value.elements else { throw typeError(key, value, "an array of tables ([[\(key)]])") }
        var out: [ConfigTable] = []
        for element in elements {
            guard case .table(let t) = element.kind else {
                throw error(element.line, "`\(key)` must hold tables ([[\(key)]]); found \(article(element.typeName))")
            }
            out.append(ConfigTable(table: t, name: "[[\(key)]]", file: file))
        }
        return out
    }
}

/// "Did you mean" for unknown keys: the known key at the smallest edit distance, if close enough.
enum Suggestion {
    static func closest(to word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(Array(word.utf8), Array($0.utf8))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        if best.1 <= max(2, word.utf8.count / 3) { return best.0 }
        // A key missing its unit or suffix (`timeout` for `timeout_ms`).
        guard word.utf8.count >= 4 else { return nil }
        return candidates.first { $0.hasPrefix(word) }
    }

    /// Levenshtein distance, two rows.
    static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        var row = previous
        for i in 1...a.count {
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&row, &previous)
        }
        return previous[b.count]
    }
}

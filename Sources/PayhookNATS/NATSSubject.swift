/// A hook's `subject` template (`payments.{source}.{status}`): rendered per event, and turned
/// into the wildcard pattern a stream must cover (each token with a placeholder becomes `*`).
public struct NATSSubject: Sendable, Equatable {
    public static let placeholders = ["{source}", "{kind}", "{status}", "{provider}"]
    public let template: String

    /// Checks the template: dot-separated non-empty tokens, no wildcards, no spaces, braces
    /// only in the known placeholders. Returns the reason it is invalid.
    public static func validate(_ template: String) -> String? {
        guard !template.isEmpty else { return "subject is empty" }
        var rest = template
        for p in placeholders { rest = rest.replacingOccurrences(p, with: "x") }
        if rest.contains("{") || rest.contains("}") {
            return "unknown placeholder (known: \(placeholders.joined(separator: " ")))"
        }
        for token in rest.split(separator: ".", omittingEmptySubsequences: false) {
            if token.isEmpty { return "empty token (two dots, or a dot at an end)" }
            if token.contains(where: { $0 == "*" || $0 == ">" || $0.isWhitespace }) { return "token `\(token)` has a wildcard or a space" }
        }
        return nil
    }

    public init(_ template: String) { self.template = template }

    /// The subject of one event. A value's `.`, `*`, `>` and whitespace become `_` (a value
    /// must stay one token, and a wildcard in a published subject is refused by the server).
    public func render(source: String, kind: String, status: String, provider: String) -> String {
        var out = template
        for (p, v) in zip(Self.placeholders, [source, kind, status, provider]) {
            out = out.replacingOccurrences(p, with: Self.token(v))
        }
        return out
    }

    static func token(_ value: String) -> String {
        let cleaned = String(value.map { $0 == "." || $0 == "*" || $0 == ">" || $0.isWhitespace ? "_" : $0 })
        return cleaned.isEmpty ? "_" : cleaned
    }

    /// The subjects this template can produce, as a NATS pattern.
    public var pattern: String {
        template.split(separator: ".", omittingEmptySubsequences: false)
            .map { token in Self.placeholders.contains(where: { token.contains($0) }) ? "*" : String(token) }
            .joined(separator: ".")
    }

    /// Whether every subject matching `pattern` also matches `filter` (a stream's subject):
    /// token by token, `>` covers the rest, `*` any one token, a literal only itself.
    public static func covers(_ filter: String, _ pattern: String) -> Bool {
        let f = filter.split(separator: ".", omittingEmptySubsequences: false)
        let p = pattern.split(separator: ".", omittingEmptySubsequences: false)
        for (i, token) in f.enumerated() {
            if token == ">" { return i < p.count }
            guard i < p.count else { return false }
            if token == "*" { continue }
            if p[i] == "*" || p[i] == ">" || token != p[i] { return false }
        }
        return f.count == p.count
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: String, with replacement: String) -> String {
        var out = ""
        var rest = self[...]
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

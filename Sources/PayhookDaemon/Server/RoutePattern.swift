/// A path pattern: literal segments and `{name}` segments that match one non-empty segment.
///
/// Matching walks the path's UTF-8 bytes once per candidate route and allocates only for a
/// match's parameter values: status queries go through it many times a second, and the former
/// split-then-dictionary form cost an array per route tried and a hashed dictionary per answer.
public struct RoutePattern: Sendable, Equatable, CustomStringConvertible {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }
    let segments: [Segment]
    /// The `{name}` segments' names in order, shared by every `PathParameters` of this route.
    let names: [String]
    /// No `{name}` segment: matching is one string comparison.
    let isLiteral: Bool
    public let description: String

    /// `"/v1/payments/{source}/{payment_id}"`.
    public init(_ pattern: String) {
        precondition(pattern.hasPrefix("/"), "route patterns start with /")
        description = pattern
        segments = pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { s in
            s.hasPrefix("{") && s.hasSuffix("}") ? .parameter(String(s.dropFirst().dropLast())) : .literal(String(s))
        }
        names = segments.compactMap { if case .parameter(let name) = $0 { name } else { nil } }
        isLiteral = names.isEmpty
    }

    /// The parameters when `path` matches, nil otherwise.
    func match(_ path: String) -> PathParameters? {
        if isLiteral { return path == description ? PathParameters() : nil }
        // First without allocating (most routes tried do not match), then the values.
        guard walk(path, { _ in }) else { return nil }
        var parameters = PathParameters(names: names)
        _ = walk(path) { parameters.append(String(decoding: $0, as: UTF8.self)) }
        return parameters
    }

    /// Whether `path` has the pattern's segments; calls `parameter` with each `{name}` value.
    /// On the raw UTF-8 bytes: `String.UTF8View` index steps cost a check each.
    private func walk(_ path: String, _ parameter: (UnsafeBufferPointer<UInt8>) -> Void) -> Bool {
        var path = path
        return path.withUTF8 { bytes in
            var i = 0
            let slash = UInt8(ascii: "/")
            for segment in segments {
                guard i < bytes.count, bytes[i] == slash else { return false }
                i += 1
                let start = i
                while i < bytes.count, bytes[i] != slash { i += 1 }
                let part = UnsafeBufferPointer(rebasing: bytes[start..<i])
                switch segment {
                case .literal(let s):
                    guard Self.equal(part, s) else { return false }
                case .parameter:
                    guard start != i else { return false }
                    parameter(part)
                }
            }
            return i == bytes.count
        }
    }

    /// A path segment's bytes against a literal segment (`elementsEqual` on a `UTF8View`
    /// steps and checks an index per byte; every status query compares several).
    private static func equal(_ part: UnsafeBufferPointer<UInt8>, _ literal: String) -> Bool {
        guard part.count == literal.utf8.count else { return false }
        var literal = literal
        return literal.withUTF8 { l in
            // By index: `elementsEqual` steps two iterators (a tenth of routing a status query).
            for i in 0..<l.count where l[i] != part[i] { return false }
            return true
        }
    }
}

/// The values of a route's `{name}` segments: `request.parameters["source"]`. A route has one or
/// two, so a search by name beats hashing into a dictionary built for every request, and the
/// first two values are held inline (no array per routed request).
public struct PathParameters: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    private var names: [String]
    private var first = ""
    private var second = ""
    /// The third value and later ones.
    private var rest: [String] = []
    private var count = 0

    public init() { names = [] }

    init(names: [String]) { self.names = names }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(names: elements.map(\.0))
        for (_, value) in elements { append(value) }
    }

    /// Adds the value of the next name, in the order of `names`.
    mutating func append(_ value: String) {
        switch count {
        case 0: first = value
        case 1: second = value
        default: rest.append(value)
        }
        count += 1
    }

    public subscript(name: String) -> String? {
        for (i, n) in names.enumerated() where n == name && i < count { return value(at: i) }
        return nil
    }

    private func value(at i: Int) -> String {
        switch i {
        case 0: first
        case 1: second
        default: rest[i - 2]
        }
    }

    public var isEmpty: Bool { names.isEmpty }

    /// As a dictionary (the body-limit providers' argument; asked only for requests with a body).
    public var dictionary: [String: String] {
        Dictionary((0..<count).map { (names[$0], value(at: $0)) }) { first, _ in first }
    }
}

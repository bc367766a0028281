import Glibc

/// A path pattern: literal segments and `{name}` segments that match one non-empty segment.
///
/// Matching walks the path's UTF-8 bytes once per candidate route and allocates only for a
/// match's parameter values: status queries go through it many times a second, and the former
/// split-then-dictionary form cost an array per route tried and a hashed dictionary per answer.
public struct RoutePattern: Sendable, Equatable, CustomStringConvertible {
    /// The pattern's bytes after the leading `/`, and per segment where its literal bytes are
    /// in them (`nil` for a `{name}` segment): matching compares bytes in place, with no
    /// `String` (and no retain of one) per segment tried.
    private let bytes: [UInt8]
    private let segments: [Range<Int>?]
    /// How many of `bytes` come before the first `{name}` segment (all of them when none): a
    /// path that does not start with them (most routes tried) is refused with one compare.
    private let prefixCount: Int
    /// The `{name}` segments' names in order, shared by every `PathParameters` of this route.
    let names: [String]
    public let description: String

    /// `"/v1/payments/{source}/{payment_id}"`.
    public init(_ pattern: String) {
        precondition(pattern.hasPrefix("/"), "route patterns start with /")
        description = pattern
        bytes = Array(pattern.utf8.dropFirst())
        var segments: [Range<Int>?] = []
        var names: [String] = []
        var firstValueAt: Int? = nil
        var start = 0
        for i in 0...bytes.count where i == bytes.count || bytes[i] == UInt8(ascii: "/") {
            let part = bytes[start..<i]
            if part.first == UInt8(ascii: "{") && part.last == UInt8(ascii: "}") && part.count >= 2 {
                if firstValueAt == nil { firstValueAt = start }
                segments.append(nil)
                names.append(String(decoding: part.dropFirst().dropLast(), as: UTF8.self))
            } else {
                segments.append(start..<i)
            }
            start = i + 1
        }
        self.segments = segments
        self.names = names
        prefixCount = firstValueAt ?? bytes.count
    }

    public static func == (a: RoutePattern, b: RoutePattern) -> Bool { a.description == b.description }

    /// The parameters when the path's bytes `path` match, nil otherwise: one walk, and the
    /// values (made only on a match) from the spans it noted.
    func match(_ path: UnsafeRawBufferPointer) -> PathParameters? {
        guard names.count <= 2 else {
            var values: [String] = []
            guard walk(path, { values.append(String(decoding: UnsafeRawBufferPointer(rebasing: path[$0]), as: UTF8.self)) }) else { return nil }
            var parameters = PathParameters(names: names)
            for value in values { parameters.append(value) }
            return parameters
        }
        guard let values = values(path) else { return nil }
        var parameters = PathParameters(names: names)
        for i in 0..<values.count { parameters.append(String(decoding: values[i], as: UTF8.self)) }
        return parameters
    }

    /// Whether some path matches both patterns: as many segments, and where both have a
    /// literal, the same one (a `{name}` matches any non-empty segment; counted as overlapping
    /// an empty literal too, which only costs a needless check).
    func mayOverlap(_ other: RoutePattern) -> Bool {
        guard segments.count == other.segments.count else { return false }
        for (a, b) in zip(segments, other.segments) {
            guard let a, let b else { continue }
            if bytes[a] != other.bytes[b] { return false }
        }
        return true
    }

    /// Whether `path` matches (no value made).
    func matches(_ path: UnsafeRawBufferPointer) -> Bool { walk(path, { _ in }) }

    /// The `{name}` values' bytes when `path` matches, nil otherwise; for patterns of at most
    /// two (`PathValues`).
    func values(_ path: UnsafeRawBufferPointer) -> PathValues? {
        precondition(names.count <= 2, "PathValues holds two values")
        var values = PathValues(path: path)
        return walk(path, { values.note($0) }) ? values : nil
    }

    /// Whether `path` has the pattern's segments; calls `value` with each `{name}` value's span.
    private func walk(_ path: UnsafeRawBufferPointer, _ value: (Range<Int>) -> Void) -> Bool {
        bytes.withUnsafeBytes { pattern in
            guard path.count > prefixCount, prefixCount == 0 || memcmp(path.baseAddress! + 1, pattern.baseAddress!, prefixCount) == 0 else {
                return false
            }
            return segments.withUnsafeBufferPointer { segments in
                var i = 0
                let slash = UInt8(ascii: "/")
                for segment in segments {
                    guard i < path.count, path[i] == slash else { return false }
                    i += 1
                    let start = i
                    while i < path.count, path[i] != slash { i += 1 }
                    if let literal = segment {
                        guard i - start == literal.count,
                            literal.isEmpty || memcmp(path.baseAddress! + start, pattern.baseAddress! + literal.lowerBound, literal.count) == 0
                        else { return false }
                    } else {
                        guard start != i else { return false }
                        value(start..<i)
                    }
                }
                return i == path.count
            }
        }
    }
}

/// The `{name}` values of a matched path, by position, as the request sent them (not
/// percent-decoded): bytes in the request's buffer, valid while it is, with no `String` made.
/// What an immediate route reads (`ImmediateHandler`); at most two.
public struct PathValues {
    /// The whole path.
    public let path: UnsafeRawBufferPointer
    private var first = 0..<0
    private var second = 0..<0
    public private(set) var count = 0

    init(path: UnsafeRawBufferPointer) { self.path = path }

    mutating func note(_ span: Range<Int>) {
        if count == 0 { first = span } else { second = span }
        count += 1
    }

    public subscript(i: Int) -> UnsafeRawBufferPointer {
        precondition(i >= 0 && i < count, "path value index out of range")
        return UnsafeRawBufferPointer(rebasing: path[i == 0 ? first : second])
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

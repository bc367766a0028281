// libFuzzer target for payhookd's TOML config parser (Sources/PayhookDaemon/Config/TOML).
//
// Input: a TOML document (the seeds are the shipped configs and edge cases, so no configuration
// byte). Each input is parsed under three limits: the defaults, a tiny depth, and `Int.max` for
// every limit (which the parser must cap itself). Invariants, besides "no crash or trap":
// - every error and every value carries a line within the document;
// - a parsed tree nests no deeper than the enforced depth (the caller's limit, capped at
//   `TOMLLimits.maxDepthCeiling`), counting key segments and array elements;
// - a table's keys are unique (by bytes) and each has a value;
// - a byte order mark in front of the document changes nothing: same tree or same error.
import PayhookTOML

private let limitSets = [
    TOMLLimits(),
    TOMLLimits(maxDocumentBytes: 4096, maxDepth: 3),
    TOMLLimits(maxDocumentBytes: .max, maxDepth: .max),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTOML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let lineCount = input.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    for limits in limitSets {
        let outcome = parse(input, limits: limits)
        switch outcome {
        case .failure(let error):
            precondition(error.line >= 1 && error.line <= lineCount, "error line out of range")
            _ = error.description
        case .success(let table):
            let maxDepth = min(limits.maxDepth, TOMLLimits.maxDepthCeiling)
            check(table, depth: 0, maxDepth: maxDepth, lineCount: lineCount)
        }
    }
    if !input.starts(with: [0xEF, 0xBB, 0xBF]) {
        let plain = parse(input, limits: TOMLLimits())
        let withBOM = parse([0xEF, 0xBB, 0xBF] + input, limits: TOMLLimits())
        switch (plain, withBOM) {
        case (.failure(let a), .failure(let b)): precondition(a == b, "a leading BOM changes the error")
        case (.success(let a), .success(let b)): precondition(flatten(a) == flatten(b), "a leading BOM changes the tree")
        default: preconditionFailure("a leading BOM changes whether the document parses")
        }
    }
    return 0
}

private func parse(_ bytes: [UInt8], limits: TOMLLimits) -> Result<TOMLTable, TOMLError> {
    do throws(TOMLError) {
        return .success(try TOMLParser(limits: limits).parse(bytes))
    } catch {
        return .failure(error)
    }
}

/// Walks a table whose keys sit at `depth + 1`.
private func check(_ table: TOMLTable, depth: Int, maxDepth: Int, lineCount: Int) {
    precondition(table.line >= 1 && table.line <= lineCount, "table line out of range")
    precondition(Set(table.keys.map { Array($0.utf8) }).count == table.keys.count, "a key appears twice")
    for key in table.keys {
        guard let value = table[key] else { preconditionFailure("a key without a value") }
        check(value, depth: depth + 1, maxDepth: maxDepth, lineCount: lineCount)
    }
}

private func check(_ value: TOMLValue, depth: Int, maxDepth: Int, lineCount: Int) {
    precondition(depth <= maxDepth, "nested deeper than the enforced depth")
    precondition(value.line >= 1 && value.line <= lineCount, "value line out of range")
    switch value.kind {
    case .table(let table): check(table, depth: depth, maxDepth: maxDepth, lineCount: lineCount)
    case .array(let elements):
        for element in elements { check(element, depth: depth + 1, maxDepth: maxDepth, lineCount: lineCount) }
    case .tableArray(let elements):
        // `[[a.b]]` elements sit at the depth of their key; only their own keys go deeper.
        for element in elements { check(element, depth: depth, maxDepth: maxDepth, lineCount: lineCount) }
    case .string, .integer, .float, .boolean: break
    }
}

/// The tree as text, floats by bit pattern (NaN is not equal to itself), keys in order.
private func flatten(_ table: TOMLTable) -> String {
    var out = "{"
    for (key, value) in table.pairs { out += "\(key.utf8.map { $0 })@\(value.line)=\(flatten(value))," }
    return out + "}"
}

private func flatten(_ value: TOMLValue) -> String {
    switch value.kind {
    case .string(let s): "s\(s.utf8.map { $0 })"
    case .integer(let i): "i\(i)"
    case .float(let f): "f\(f.bitPattern)"
    case .boolean(let b): "b\(b)"
    case .array(let a): "[" + a.map { "\($0.line):" + flatten($0) }.joined(separator: ",") + "]"
    case .tableArray(let a): "[[" + a.map { "\($0.line):" + flatten($0) }.joined(separator: ",") + "]]"
    case .table(let t): "t\(t.line)" + flatten(t)
    }
}

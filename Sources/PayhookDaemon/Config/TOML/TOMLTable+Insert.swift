// How headers and keys build the table tree, with TOML 1.0's rules on redefinition
// (https://toml.io/en/v1.0.0#table): a table is defined once; `[a]` may come after `[a.b]`;
// dotted keys cannot add to a table defined by a header; inline tables and value arrays are closed.

extension TOMLTable {
    /// Runs `body` on the table at `path` (already created), going into the last element of
    /// arrays of tables.
    mutating func withTable(
        at path: ArraySlice<String>, _ body: (inout TOMLTable) throws(TOMLError) -> Void
    ) throws(TOMLError) {
        guard let first = path.first else { return try body(&self) }
        guard var value = takeOut(first) else { preconditionFailure("the current table exists") }
        defer { set(first, value) }
        switch value.kind {
        case .table(var table):
            value.kind = .boolean(false)  // drop the second reference so `table` mutates in place
            defer { value.kind = .table(table) }
            try table.withTable(at: path.dropFirst(), body)
        case .tableArray(var elements):
            value.kind = .boolean(false)
            defer { value.kind = .tableArray(elements) }
            guard case .table(var table) = elements[elements.count - 1].kind else {
                preconditionFailure("arrays of tables hold tables")
            }
            try table.withTable(at: path.dropFirst(), body)
            elements[elements.count - 1].kind = .table(table)
        default:
            preconditionFailure("the current table path holds tables only")
        }
    }

    /// `[path]`: defines a table, creating missing parents as implicit tables.
    mutating func defineTable(path: [String], line: Int) throws(TOMLError) {
        let name = path.joined(separator: ".")
        try descendForHeader(path[...], consumed: [], line: line) { (parent, last) throws(TOMLError) in
            guard let existing = parent[last] else {
                parent.set(last, TOMLValue(.table(TOMLTable(origin: .header, line: line)), line: line))
                return
            }
            guard case .table(var table) = existing.kind, table.origin == .implicit else {
                throw TOMLError(.duplicateTable(name: name, firstLine: existing.line), line: line)
            }
            table.origin = .header
            table.line = line
            parent.set(last, TOMLValue(.table(table), line: line))
        }
    }

    /// `[[path]]`: appends a new table to an array of tables, creating it when missing.
    mutating func appendTableArrayElement(path: [String], line: Int) throws(TOMLError) {
        let name = path.joined(separator: ".")
        try descendForHeader(path[...], consumed: [], line: line) { (parent, last) throws(TOMLError) in
            let element = TOMLValue(.table(TOMLTable(origin: .arrayElement, line: line)), line: line)
            guard var existing = parent.takeOut(last) else {
                parent.set(last, TOMLValue(.tableArray([element]), line: line))
                return
            }
            defer { parent.set(last, existing) }
            switch existing.kind {
            case .tableArray(var elements):
                existing.kind = .boolean(false)
                elements.append(element)
                existing.kind = .tableArray(elements)
            case .array:
                throw TOMLError(.staticArray(name: name, firstLine: existing.line), line: line)
            default:
                throw TOMLError(.duplicateTable(name: name, firstLine: existing.line), line: line)
            }
        }
    }

    /// Walks the parents of a header path, creating implicit tables, then calls `body` with the
    /// parent table and the last key.
    private mutating func descendForHeader(
        _ path: ArraySlice<String>, consumed: [String], line: Int,
        _ body: (inout TOMLTable, String) throws(TOMLError) -> Void
    ) throws(TOMLError) {
        let key = path.first!
        if path.count == 1 { return try body(&self, key) }
        let name = (consumed + [key]).joined(separator: ".")
        guard var value = takeOut(key) else {
            var table = TOMLTable(origin: .implicit, line: line)
            try table.descendForHeader(path.dropFirst(), consumed: consumed + [key], line: line, body)
            set(key, TOMLValue(.table(table), line: line))
            return
        }
        defer { set(key, value) }
        switch value.kind {
        case .table(var table) where table.origin != .inline:
            value.kind = .boolean(false)
            defer { value.kind = .table(table) }
            try table.descendForHeader(path.dropFirst(), consumed: consumed + [key], line: line, body)
        case .table:
            throw TOMLError(.inlineTableClosed(key: name, firstLine: value.line), line: line)
        case .tableArray(var elements):
            value.kind = .boolean(false)
            defer { value.kind = .tableArray(elements) }
            guard case .table(var table) = elements[elements.count - 1].kind else { preconditionFailure() }
            try table.descendForHeader(path.dropFirst(), consumed: consumed + [key], line: line, body)
            elements[elements.count - 1].kind = .table(table)
        case .array:
            throw TOMLError(.staticArray(name: name, firstLine: value.line), line: line)
        default:
            throw TOMLError(.notATable(key: name, firstLine: value.line), line: line)
        }
    }

    /// `a.b.c = value` inside this table: creates `a` and `a.b` as dotted tables when missing.
    /// `prefix` is this table's own path, for messages.
    mutating func insert(key: ArraySlice<String>, value: TOMLValue, prefix: [String]) throws(TOMLError) {
        let first = key.first!
        let name = (prefix + [first]).joined(separator: ".")
        if key.count == 1 {
            if let existing = self[first] {
                throw TOMLError(.duplicateKey(key: name, firstLine: existing.line), line: value.line)
            }
            return set(first, value)
        }
        guard var existing = takeOut(first) else {
            var table = TOMLTable(origin: .dotted, line: value.line)
            try table.insert(key: key.dropFirst(), value: value, prefix: prefix + [first])
            set(first, TOMLValue(.table(table), line: value.line))
            return
        }
        defer { set(first, existing) }
        switch existing.kind {
        case .table(var table) where table.origin == .dotted:
            existing.kind = .boolean(false)
            defer { existing.kind = .table(table) }
            try table.insert(key: key.dropFirst(), value: value, prefix: prefix + [first])
        case .table(let table) where table.origin == .inline:
            throw TOMLError(.inlineTableClosed(key: name, firstLine: existing.line), line: value.line)
        case .table, .tableArray:
            throw TOMLError(.duplicateKey(key: name, firstLine: existing.line), line: value.line)
        default:
            throw TOMLError(.notATable(key: name, firstLine: existing.line), line: value.line)
        }
    }
}

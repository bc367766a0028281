// How headers and keys build the table tree, with TOML 1.0's rules on redefinition
// (https://toml.io/en/v1.0.0#table): a table is defined once; `[a]` may come after `[a.b]`;
// dotted keys cannot add to a table defined by a header; inline tables and value arrays are closed.
//
// Values are taken out of their parent (`takeOut`, `takeTable`, `takeElements`), mutated, and put
// back, so that each insertion mutates in place instead of copying whole arrays of tables.

extension TOMLValue {
    /// The table payload, leaving a placeholder so that the caller holds the only reference.
    mutating func takeTable() -> TOMLTable? {
        guard case .table(let table) = kind else { return nil }
        kind = .boolean(false)
        return table
    }

    /// The elements of an array of tables, leaving a placeholder (see `takeTable`).
    mutating func takeElements() -> [TOMLValue]? {
        guard case .tableArray(let elements) = kind else { return nil }
        kind = .boolean(false)
        return elements
    }
}

extension TOMLTable {
    /// Runs `body` on the table at `path` (already created), going into the last element of
    /// arrays of tables.
    mutating func withTable(
        at path: ArraySlice<String>, _ body: (inout TOMLTable) throws(TOMLError) -> Void
    ) throws(TOMLError) {
        guard let first = path.first else { return try body(&self) }
        guard var value = takeOut(first) else { preconditionFailure("the current table exists") }
        defer { putBack(first, value) }
        try value.withInnerTable { (table: inout TOMLTable) throws(TOMLError) in
            try table.withTable(at: path.dropFirst(), body)
        }
    }

    /// `[path]`: defines a table, creating missing parents as implicit tables.
    mutating func defineTable(path: [String], line: Int) throws(TOMLError) {
        let name = path.joined(separator: ".")
        try descendForHeader(path[...], consumed: [], line: line) { (parent, last) throws(TOMLError) in
            guard var existing = parent.takeOut(last) else {
                parent.set(last, TOMLValue(.table(TOMLTable(origin: .header, line: line)), line: line))
                return
            }
            defer { parent.putBack(last, existing) }
            guard case .table(var table) = existing.kind, table.origin == .implicit else {
                throw TOMLError(.duplicateTable(name: name, firstLine: existing.line), line: line)
            }
            table.origin = .header
            table.line = line
            existing = TOMLValue(.table(table), line: line)
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
            defer { parent.putBack(last, existing) }
            if var elements = existing.takeElements() {
                elements.append(element)
                existing.kind = .tableArray(elements)
            } else if case .array = existing.kind {
                throw TOMLError(.staticArray(name: name, firstLine: existing.line), line: line)
            } else {
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
        defer { putBack(key, value) }
        // Decided before mutating, so that no pattern binding holds a second reference.
        switch (value.tableOrigin, value.kind) {
        case (.inline?, _):
            throw TOMLError(.inlineTableClosed(key: name, firstLine: value.line), line: line)
        case (_?, _), (nil, .tableArray):
            break
        case (nil, .array):
            throw TOMLError(.staticArray(name: name, firstLine: value.line), line: line)
        default:
            throw TOMLError(.notATable(key: name, firstLine: value.line), line: line)
        }
        try value.withInnerTable { (table: inout TOMLTable) throws(TOMLError) in
            try table.descendForHeader(path.dropFirst(), consumed: consumed + [key], line: line, body)
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
        defer { putBack(first, existing) }
        switch (existing.tableOrigin, existing.kind) {
        case (.dotted?, _):
            break
        case (.inline?, _):
            throw TOMLError(.inlineTableClosed(key: name, firstLine: existing.line), line: value.line)
        case (_?, _), (nil, .tableArray):
            throw TOMLError(.duplicateKey(key: name, firstLine: existing.line), line: value.line)
        default:
            throw TOMLError(.notATable(key: name, firstLine: existing.line), line: value.line)
        }
        try existing.withInnerTable { (table: inout TOMLTable) throws(TOMLError) in
            try table.insert(key: key.dropFirst(), value: value, prefix: prefix + [first])
        }
    }
}

extension TOMLValue {
    /// How this table came to exist, or `nil` when the value is not a table.
    var tableOrigin: TOMLTable.Origin? {
        if case .table(let table) = kind { return table.origin }
        return nil
    }

    /// Runs `body` in place on this table, or on the last element of this array of tables.
    mutating func withInnerTable(_ body: (inout TOMLTable) throws(TOMLError) -> Void) throws(TOMLError) {
        if var table = takeTable() {
            defer { kind = .table(table) }
            return try body(&table)
        }
        guard var elements = takeElements() else { preconditionFailure("a table or an array of tables") }
        defer { kind = .tableArray(elements) }
        guard var table = elements[elements.count - 1].takeTable() else { preconditionFailure("arrays of tables hold tables") }
        defer { elements[elements.count - 1].kind = .table(table) }
        try body(&table)
    }
}

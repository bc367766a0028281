import Testing

@testable import PayhookDaemon

/// Valid TOML documents: values, lines and table structure.
@Suite struct ConfigTOMLParserTests {
    func parse(_ text: String) throws -> TOMLTable { try TOMLParser().parse(text) }

    func kind(_ table: TOMLTable, _ path: String...) -> TOMLValue.Kind? {
        var current = table
        for key in path.dropLast() {
            guard case .table(let t)? = current[key]?.kind else { return nil }
            current = t
        }
        return current[path.last!]?.kind
    }

    @Test("scalars parse to their types and keep the line of their key")
    func scalarsAndLines() throws {
        let doc = try parse("# comment\n\na = \"x\"\nb = 42 # trailing\nc = 1.5\nd = true\n  e = false\n")
        #expect(doc["a"] == TOMLValue(.string("x"), line: 3))
        #expect(doc["b"] == TOMLValue(.integer(42), line: 4))
        #expect(doc["c"] == TOMLValue(.float(1.5), line: 5))
        #expect(doc["d"] == TOMLValue(.boolean(true), line: 6))
        #expect(doc["e"] == TOMLValue(.boolean(false), line: 7))
        #expect(doc.keys == ["a", "b", "c", "d", "e"])
    }

    @Test("basic strings decode every escape, including \\u and \\U")
    func basicEscapes() throws {
        let doc = try parse(#"s = "a\tb\nc\"d\\e\u00E9\U0001F600\b\f\r""#)
        #expect(kind(doc, "s") == .string("a\tb\nc\"d\\eé😀\u{8}\u{c}\r"))
    }

    @Test("literal strings keep backslashes and quotes as written")
    func literalStrings() throws {
        let doc = try parse(#"p = 'C:\Users\x "q"'"#)
        #expect(kind(doc, "p") == .string(#"C:\Users\x "q""#))
    }

    @Test("multi-line basic strings trim the first newline and fold line-ending backslashes")
    func multilineBasic() throws {
        let doc = try parse("s = \"\"\"\none\ntwo \\\n    three\"\"\"\nt = \"\"\"a\"\"\"\"\"\nu = 1\n")
        #expect(kind(doc, "s") == .string("one\ntwo three"))
        #expect(kind(doc, "t") == .string("a\"\""))
        #expect(doc["u"]?.line == 6)
    }

    @Test("multi-line literal strings keep everything but the first newline")
    func multilineLiteral() throws {
        let doc = try parse("s = '''\nraw \\n ''\nend'''\nn = 2")
        #expect(kind(doc, "s") == .string("raw \\n ''\nend"))
        #expect(doc["n"]?.line == 4)
    }

    @Test("integers accept underscores, signs, hex, octal, binary and the full 64-bit range")
    func integers() throws {
        let doc = try parse(
            """
            a = 1_000_000
            b = -17
            c = +0
            d = 0xDEAD_beef
            e = 0o755
            f = 0b1101
            g = 9223372036854775807
            h = -9223372036854775808
            """)
        #expect(kind(doc, "a") == .integer(1_000_000))
        #expect(kind(doc, "b") == .integer(-17))
        #expect(kind(doc, "c") == .integer(0))
        #expect(kind(doc, "d") == .integer(0xDEAD_BEEF))
        #expect(kind(doc, "e") == .integer(0o755))
        #expect(kind(doc, "f") == .integer(13))
        #expect(kind(doc, "g") == .integer(.max))
        #expect(kind(doc, "h") == .integer(.min))
    }

    @Test("floats: fractions, exponents, inf and nan")
    func floats() throws {
        let doc = try parse("a = 3.14\nb = -2e3\nc = 6.02E+2_3\nd = 1_0.0_1\ne = -inf\nf = nan\ng = 5e-01")
        #expect(kind(doc, "a") == .float(3.14))
        #expect(kind(doc, "b") == .float(-2000))
        #expect(kind(doc, "c") == .float(6.02e23))
        #expect(kind(doc, "d") == .float(10.01))
        #expect(kind(doc, "e") == .float(-.infinity))
        guard case .float(let nan)? = kind(doc, "f") else {
            Issue.record("nan")
            return
        }
        #expect(nan.isNaN)
        #expect(kind(doc, "g") == .float(0.5))
    }

    @Test("multi-line arrays with comments and a trailing comma; each element keeps its line")
    func arrays() throws {
        let doc = try parse("a = [\n  \"x\", # first\n\n  \"y\",\n]\nb = [[1, 2], ['z'], []]\nc = []")
        #expect(kind(doc, "a") == .array([TOMLValue(.string("x"), line: 2), TOMLValue(.string("y"), line: 4)]))
        guard case .array(let b)? = kind(doc, "b") else {
            Issue.record("b")
            return
        }
        #expect(b.count == 3)
        #expect(b[0].elements?.count == 2)
        #expect(kind(doc, "c") == .array([]))
    }

    @Test("inline tables, with dotted keys inside")
    func inlineTables() throws {
        let doc = try parse("t = { x = 1, y.z = \"w\", e = {} }")
        #expect(kind(doc, "t", "x") == .integer(1))
        #expect(kind(doc, "t", "y", "z") == .string("w"))
        guard case .table(let e)? = kind(doc, "t", "e") else {
            Issue.record("e")
            return
        }
        #expect(e.keys.isEmpty)
    }

    @Test("tables, dotted and quoted header keys with spaces around dots")
    func tables() throws {
        let doc = try parse("[server]\nport = 1\n[ a . \"b c\" . 'd' ]\nx = 2\n[\"\"]\ny = 3")
        #expect(kind(doc, "server", "port") == .integer(1))
        #expect(kind(doc, "a", "b c", "d", "x") == .integer(2))
        #expect(kind(doc, "", "y") == .integer(3))
        #expect(doc["server"]?.line == 1)
    }

    @Test("dotted keys build nested tables in the current table")
    func dottedKeys() throws {
        let doc = try parse("[s]\na.b.c = 1\na.b.d = 2\n\"q.k\" = 3")
        #expect(kind(doc, "s", "a", "b", "c") == .integer(1))
        #expect(kind(doc, "s", "a", "b", "d") == .integer(2))
        #expect(kind(doc, "s", "q.k") == .integer(3))
    }

    @Test("[[arrays of tables]] append; sub-tables attach to the last element")
    func arrayOfTables() throws {
        let doc = try parse(
            """
            [[sources]]
            name = "a"
            [sources.event_secrets]
            "order.created" = "s1"

            [[sources]]
            name = "b"
            """)
        guard case .tableArray(let sources)? = doc["sources"]?.kind else {
            Issue.record("sources")
            return
        }
        #expect(sources.map(\.line) == [1, 6])
        guard case .table(let first) = sources[0].kind, case .table(let second) = sources[1].kind else { return }
        guard case .table(let secrets)? = first["event_secrets"]?.kind else {
            Issue.record("secrets")
            return
        }
        #expect(secrets["order.created"] == TOMLValue(.string("s1"), line: 4))
        #expect(second["event_secrets"] == nil)
        #expect(second["name"]?.kind == .string("b"))
    }

    @Test("a table implied by [a.b] may be defined later by [a]")
    func implicitThenExplicit() throws {
        let doc = try parse("[a.b]\nx = 1\n[a]\ny = 2")
        #expect(kind(doc, "a", "b", "x") == .integer(1))
        #expect(kind(doc, "a", "y") == .integer(2))
    }

    @Test("a header may add a sub-table below a table made by dotted keys (TOML 1.0 example)")
    func subTableOfDotted() throws {
        let doc = try parse("[fruit]\napple.color = \"red\"\n[fruit.apple.texture]\nsmooth = true")
        #expect(kind(doc, "fruit", "apple", "texture", "smooth") == .boolean(true))
    }

    @Test("keys stay listed once, in definition order, however often their table is reopened")
    func keysListedOnce() throws {
        let doc = try parse("[server]\na = 1\nb = 2\n[[s]]\nx = 1\ny = 2\n[s.t]\nz = 3\n[[s]]\nx = 4\n[server.sub]\nc = 5\nd.e = 6\nd.f = 7")
        #expect(doc.keys == ["server", "s"])
        guard case .table(let server)? = doc["server"]?.kind, case .tableArray(let s)? = doc["s"]?.kind,
            case .table(let first) = s[0].kind, case .table(let sub)? = server["sub"]?.kind
        else {
            Issue.record("shape")
            return
        }
        #expect(server.keys == ["a", "b", "sub"])
        #expect(first.keys == ["x", "y", "t"])
        #expect(sub.keys == ["c", "d"])
        #expect(server.pairs.map(\.key) == ["a", "b", "sub"])
    }

    @Test("CRLF line endings count as one line each")
    func crlf() throws {
        let doc = try parse("a = 1\r\n# c\r\nb = \"\"\"\r\nx\r\ny\"\"\"\r\nc = 3\r\n")
        #expect(doc["b"]?.kind == .string("x\ny"))
        #expect(doc["c"]?.line == 6)
    }

    @Test("an empty document and one of only comments are empty tables")
    func empty() throws {
        #expect(try parse("").keys.isEmpty)
        #expect(try parse("# only\n\n   # comments\n").keys.isEmpty)
    }

    @Test("values may hold UTF-8 text; keys may be quoted UTF-8")
    func unicode() throws {
        let doc = try parse("\"ключ\" = \"значение ✓\"")
        #expect(kind(doc, "ключ") == .string("значение ✓"))
    }
}

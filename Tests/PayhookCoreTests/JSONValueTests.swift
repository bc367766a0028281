import PayhookCore
import Testing

@Suite struct JSONValueTests {
    private let doc = try! JSONParser.parse(Array(#"{"s":"x","n":5,"b":false,"z":null,"a":[1,{"k":"v"}],"o":{"p":"q"}}"#.utf8))

    @Test("lookups by key and index return the member or nil")
    func lookups() {
        #expect(doc["s"]?.stringValue == "x")
        #expect(doc["n"]?.numberText == "5")
        #expect(doc["b"]?.boolValue == false)
        #expect(doc["z"]?.isNull == true)
        #expect(doc["a"]?[1]?["k"]?.stringValue == "v")
        #expect(doc["o"]?["p"]?.stringValue == "q")
        #expect(doc["missing"] == nil)
        #expect(doc["a"]?[2] == nil)
        #expect(doc["a"]?[-1] == nil)
        #expect(doc["s"]?["x"] == nil)
        #expect(doc[0] == nil)
    }

    @Test("typed accessors return nil for other types")
    func accessors() {
        #expect(doc["n"]?.stringValue == nil)
        #expect(doc["s"]?.numberText == nil)
        #expect(doc["s"]?.boolValue == nil)
        #expect(doc["s"]?.isNull == false)
        #expect(doc["s"]?.objectMembers == nil)
        #expect(doc["a"]?.arrayElements?.count == 2)
        #expect(doc["o"]?.typeName == "object")
        #expect(doc["z"]?.typeName == "null")
    }

    @Test("equality compares members in order")
    func equality() throws {
        let a = try JSONParser.parse(Array(#"{"x":1,"y":2}"#.utf8))
        let b = try JSONParser.parse(Array(#"{"y":2,"x":1}"#.utf8))
        #expect(a != b)
        #expect(a == (try JSONParser.parse(Array(#" { "x" : 1 , "y" : 2 } "#.utf8))))
        #expect(JSONValue.number("1.0") != .number("1"))
    }

    @Test("compact output drops whitespace and keeps number text and order")
    func compact() throws {
        let v = try JSONParser.parse(Array("{ \"b\" : [ 1.50 , -0 , 1e3 ] ,\n \"a\" : \"é\\n\\u0001\" , \"t\" : true , \"n\" : null }".utf8))
        #expect(String(decoding: v.compactBytes(), as: UTF8.self) == #"{"b":[1.50,-0,1e3],"a":"é\n\u0001","t":true,"n":null}"#)
    }

    @Test(
        "re-emitting then re-parsing gives the same value",
        arguments: [
            #"{"a":[{},[],"\"\\\/",0.5e-7,{"b":{"c":null}}],"😀":"\uD83D\uDE00"}"#,
            #"[1,2,3]"#, #""x\u0000y""#,
        ])
    func roundTrip(text: String) throws {
        let v = try JSONParser.parse(Array(text.utf8))
        #expect(try JSONParser.parse(v.compactBytes()) == v)
    }
}

import PayhookCore
import Testing

@Suite struct JSONWriterTests {
    @Test("commas, nesting and escapes are written per RFC 8259")
    func nested() {
        var w = JSONWriter()
        w.beginObject()
        w.key("a")
        w.integer(1)
        w.key("b")
        w.beginArray()
        w.string("x\"y")
        w.null()
        w.bool(true)
        w.endArray()
        w.key("c\n")
        w.string("\u{01}é")
        w.endObject()
        #expect(w.string == #"{"a":1,"b":["x\"y",null,true],"c\n":"\u0001é"}"#)
    }
}

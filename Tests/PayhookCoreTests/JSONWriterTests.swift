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

    @Test("each escaped byte between, before and after plain runs; a string with none is copied whole")
    func escapesBetweenRuns() {
        var w = JSONWriter()
        w.beginArray()
        w.string("ab\"cd\\ef\ngh\rij\tkl\u{7F}mn\u{1F}")
        w.string("\"é€😀")
        w.string("plain ascii and ü")
        w.string("")
        w.endArray()
        #expect(w.string == #"["ab\"cd\\ef\ngh\rij\tkl\u007fmn\u001f","\"é€😀","plain ascii and ü",""]"#)
    }
}

import PayhookCore
import Testing

@Suite struct JSONParserTruncationTests {
    static let document = Array(
        #"{"event":"order.created","order_id":5555555,"amount":"1.50","x":[true,false,null,-1.5e+3,{"k":"\u00e9\uD83D\uDE00é"}]}"#.utf8)

    @Test("every proper prefix of an object document fails with unexpected_end at the prefix length")
    func everyPrefix() {
        for length in 0..<Self.document.count {
            do {
                _ = try JSONParser.parse(Array(Self.document.prefix(length)))
                Issue.record("prefix of \(length) bytes parsed")
            } catch {
                #expect(error == JSONError(.unexpectedEnd, at: length), "prefix \(length)")
            }
        }
        #expect((try? JSONParser.parse(Self.document)) != nil)
    }

    @Test("flipping any single bit either still parses or fails with an offset inside the input")
    func everyBitFlip() {
        for index in Self.document.indices {
            for bit in 0..<8 {
                var bytes = Self.document
                bytes[index] ^= UInt8(1 << bit)
                do {
                    _ = try JSONParser.parse(bytes)
                } catch {
                    #expect(error.offset >= 0 && error.offset <= bytes.count)
                }
            }
        }
    }

    @Test("parsing from a caller-owned buffer gives the same result as from an array")
    func bufferEntry() throws {
        let fromBuffer = try Self.document.withUnsafeBufferPointer { buffer in try JSONParser.parse(buffer) }
        #expect(fromBuffer == (try JSONParser.parse(Self.document)))
    }
}

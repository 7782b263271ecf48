@testable import APIGatewayFrontEnd
@testable import DirectFrontEnd
@testable import EventSourceFrontEnd
@testable import FunctionCore
@testable import JSON
@testable import KafkaFunction
@testable import WebSocketFrontEnd
import Kafka
import Testing

/// The one-pass decoder must send exactly what a tree would have: same bytes, same errors.
@Suite struct OnePassDecodingTests {
    private func records(_ text: String) throws -> SuppliedRecords {
        guard case let .produce(produce) = try EventDecoder.decode(Array(text.utf8)),
              case let .supplied(records) = produce.records else {
            throw FunctionError.invalidEvent("expected supplied records")
        }
        return records
    }

    @Test(arguments: [
        #"{"a": [1, 2.5e3, -0.0], "b" : {"c" :null,"d":true}}"#,
        #"[ "x\u00e9\n\"\\\/", {"k\ty":"\ud83d\ude00"} ]"#,
        #"{"dup":1,"dup":2}"#,
        #"-12.5E+7"#,
        #"false"#,
    ])
    func jsonValuesAreSentAsTheWriterWouldSerialiseTheirTree(_ value: String) throws {
        let decoded = try records(#"{"action":"produce","topic":"t","records":[{"value":\#(value)}]}"#)
        let tree = try JSONParser.parse(Array(value.utf8))
        #expect(decoded[0].value == JSONWriter.serialize(tree))
    }

    @Test func stringsKeysAndHeadersAreTheirDecodedText() throws {
        let decoded = try records(#"""
        {"action":"produce","topic":"t","records":[
          {"key":"k\"1","value":"plain","headers":[{"key":"h\u0041","value":"v\n"},{"key":"e"}]},
          {"key":null,"value":"esc\\aped","partition":null,"encoding":null,"headers":null}]}
        """#)
        #expect(decoded.count == 2)
        #expect(decoded[0].key == Array(#"k"1"#.utf8))
        #expect(decoded[0].value == Array("plain".utf8))
        #expect(decoded[0].headers.map(\.0) == ["hA", "e"])
        #expect(decoded[0].headers.map(\.1) == [Array("v\n".utf8), []])
        #expect(decoded[1].key == nil)
        #expect(decoded[1].value == Array(#"esc\aped"#.utf8))
        #expect(decoded[1].partition == nil)
    }

    @Test(arguments: [
        (#"[1]"#, "'records[1]' must be a JSON object, got number"),
        (#"[{"value":1,"value":2}]"#, "Field 'records[1].value' appears more than once"),
        (#"[{"key":1}]"#, "Field 'records[1].value' is required"),
        (#"[{"value":"x","key":1}]"#, "Field 'records[1].key' must be a string, got number"),
        (#"[{"value":"x","encoding":5}]"#, "Field 'records[1].encoding' must be a string, got number"),
        (#"[{"value":{},"encoding":"base64"}]"#, "Field 'records[1].value' must be a string when 'encoding' is base64"),
        (#"[{"value":"x","partition":"0"}]"#, "Field 'records[1].partition' must be an integer from 0 to 2147483647, got string"),
        (#"[{"value":"x","partition":1.5}]"#, "Field 'records[1].partition' must be an integer from 0 to 2147483647, got 1.5"),
        (#"[{"value":"x","headers":"h"}]"#, "Field 'records[1].headers' must be an object or an array, got string"),
        (#"[{"value":"x","headers":[{"value":"v"}]}]"#, "Field 'records[1].headers[0].key' is required"),
        (#"[{"value":"x","headers":[{"key":"k","extra":1}]}]"#, "Unknown field 'records[1].headers[0].extra'"),
        (#"[{"value":"x","headers":[7]}]"#, "'records[1].headers[0]' must be a JSON object, got number"),
        (#"[{"value":"x","key":1,"colour":"red"}]"#, "Field 'records[1].key' must be a string"),
    ])
    func aBrokenRecordIsNamedByIndexAndField(_ second: String, _ expected: String) {
        let body = second.dropFirst().dropLast()
        let event = #"{"action":"produce","topic":"t","records":[{"value":"fine"},\#(body)]}"#
        do {
            _ = try EventDecoder.decode(Array(event.utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .invalidEvent)
            #expect(error.errorMessage.contains(expected), "message: \(error.errorMessage)")
        }
    }

    @Test func aSyntaxErrorAfterABrokenRecordStillMakesTheEventInvalidJSON() {
        let event = #"{"action":"produce","topic":"t","records":[{"key":1},{"value":tru}]}"#
        #expect(throws: FunctionError.self) { try EventDecoder.decode(Array(event.utf8)) }
        do {
            _ = try EventDecoder.decode(Array(event.utf8))
        } catch {
            #expect(error.errorMessage.contains("not valid JSON"))
        }
    }

    @Test func recordsInsideEventBridgeDetailAreDecodedToo() throws {
        let event = #"{"detail-type":"x","source":"s","detail":{"action":"produce","topic":"t","records":[{"value":"v"}]}}"#
        guard case let .produce(produce) = try EventDecoder.decode(Array(event.utf8)),
              case let .supplied(records) = produce.records else {
            Issue.record("expected supplied records")
            return
        }
        #expect(records[0].value == Array("v".utf8))
    }

    @Test func tooManyRecordsIsReportedWithTheirCountWithoutKeepingThem() {
        let element = #"{"value":1},"#
        let event = #"{"action":"produce","topic":"t","records":["# + String(repeating: element, count: 50_001).dropLast() + "]}"
        do {
            _ = try EventDecoder.decode(Array(event.utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.errorMessage.contains("has 50001 records; at most 50000"))
        }
    }

    @Test func aTreeHasAtMostMaximumValues() {
        let many = "[" + String(repeating: "[],", count: JSONParser.maximumValues) + "[]]"
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(Array(many.utf8)) }
        let event = #"{"action":"produce","topic":"t","padding":\#(many)}"#
        do {
            _ = try EventDecoder.decode(Array(event.utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.errorMessage.contains("more than \(JSONParser.maximumValues) values"))
        }
    }

    @Test func theTraceHeaderIsAddedOnlyToRecordsWithoutOne() throws {
        let decoded = try records(#"{"action":"produce","topic":"t","records":[{"value":"a"},{"value":"b","headers":{"X-AMZN-TRACE-ID":"mine"}}]}"#)
        let counts = decoded.withProducible(traceHeader: (name: "X-Amzn-Trace-Id", value: "Root=1")) { view in
            (view.record(0).headerCount, view.record(1).headerCount,
             String(decoding: view.header(0, ofRecord: 0).value, as: UTF8.self))
        }
        #expect(counts.0 == 1)
        #expect(counts.1 == 1)
        #expect(counts.2 == "Root=1")
    }

    /// Records of the plain shape take `PlainRecord`'s short way; near misses fall back to the
    /// general reader. Either way the record is what the general reader alone makes of it.
    @Test(arguments: [
        (#"{"value":"v"}"#, nil, "v"),
        (#"{"key":"k","value":"v"}"#, "k", "v"),
        (#"{"value":"v","key":"k"}"#, "k", "v"),
        (" { \"key\" : \"\" ,\n\t\"value\" : \"\" } ", "", ""),
        (#"{"key":"key-00000001","value":"00000001abcdefghijklmnopqrstuvwxyz0123456789 !#$%&'()*+,-./:;<=>?@[]^_`{|}~"}"#,
         "key-00000001", "00000001abcdefghijklmnopqrstuvwxyz0123456789 !#$%&'()*+,-./:;<=>?@[]^_`{|}~"),
        (#"{"key":null,"value":"v"}"#, nil, "v"),
        (#"{"value":"caf\u00e9 \"q\""}"#, nil, "café \"q\""),
        (#"{"value":"café","key":"ключ"}"#, "ключ", "café"),
        ("{\"value\":\"del\u{7F}\"}", nil, "del\u{7F}"),
        (#"{"value":{"a":1},"key":"k"}"#, "k", #"{"a":1}"#),
        (#"{"val\u0075e":"v"}"#, nil, "v"),
    ] as [(String, String?, String)])
    func plainRecordsAndNearMissesDecodeAlike(_ record: String, _ key: String?, _ value: String) throws {
        let decoded = try records(#"{"action":"produce","topic":"t","records":[{"value":"first"},\#(record),{"value":"last"}]}"#)
        #expect(decoded.count == 3)
        #expect(decoded[1].key == key.map { Array($0.utf8) })
        #expect(decoded[1].value == Array(value.utf8))
        #expect(decoded[1].partition == nil)
        #expect(decoded[1].headers.isEmpty)
        #expect(decoded[2].value == Array("last".utf8))
    }

    @Test(arguments: [
        (#"{"key":"k"}"#, "Field 'records[1].value' is required"),
        (#"{"value":"v","value":"w"}"#, "Field 'records[1].value' appears more than once"),
        (#"{"key":"k","value":"v","key":"j"}"#, "Field 'records[1].key' appears more than once"),
        (#"{"value":"v","colour":"red"}"#, "Unknown field 'records[1].colour'"),
        (#"{"value":"v","partition":-1}"#, "Field 'records[1].partition' must be an integer"),
    ])
    func nearMissesOfThePlainShapeGetTheGeneralReadersMessage(_ record: String, _ expected: String) {
        let event = #"{"action":"produce","topic":"t","records":[{"value":"fine"},\#(record)]}"#
        do {
            _ = try EventDecoder.decode(Array(event.utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.errorMessage.contains(expected), "message: \(error.errorMessage)")
        }
    }

    @Test(arguments: [
        #"{"value":"v",}"#, #"{"value":"v""#, "{\"value\":\"a\u{01}b\"}", #"{"value" "v"}"#, #"{"value":"v"]"#,
    ])
    func brokenJSONInAPlainLookingRecordMakesTheEventInvalidJSON(_ record: String) {
        let event = #"{"action":"produce","topic":"t","records":[\#(record)]}"#
        do {
            _ = try EventDecoder.decode(Array(event.utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.errorMessage.contains("not valid JSON"), "message: \(error.errorMessage)")
        }
    }

    @Test func integersAreWrittenWithoutStrings() {
        var writer = JSONWriter()
        for value: Int64 in [0, 7, -1, 1234567890123, .max, .min] {
            writer.writeInteger(value)
            writer.appendASCII(",")
        }
        #expect(String(decoding: writer.bytes, as: UTF8.self)
            == "0,7,-1,1234567890123,9223372036854775807,-9223372036854775808,")
    }
}

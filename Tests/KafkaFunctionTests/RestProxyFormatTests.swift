@testable import APIGatewayFrontEnd
@testable import FunctionCore
@testable import JSON
import Kafka
import Testing

/// The REST proxy v2's pure parts: embedded formats, content negotiation, routes, the state record.
@Suite struct RestProxyFormatTests {
    static func request(_ method: String, _ path: String, headers: [String: String] = [:], body: String = "") -> APIGatewayRequest {
        APIGatewayRequest(
            method: method, pathSegments: path.split(separator: "/").map(String.init), query: [:], headers: headers, body: Array(body.utf8))
    }

    @Test func theJSONFormatStoresEachKeyAndValueAsItsJSONSerialisation() throws {
        let body = #"{"records":[{"key":"abc","value":{"a":[1,2.5,true,null]}},{"key":7,"value":"x"},{"value":null},{}]}"#
        let decoded = try RestProxyProduceV2.decode(topic: "t", partition: nil, contentType: "application/vnd.kafka.json.v2+json", body: Array(body.utf8))
        #expect(decoded.records.map { $0.key.map { String(decoding: $0, as: UTF8.self) } } == [#""abc""#, "7", nil, nil])
        #expect(decoded.records.map { $0.value.map { String(decoding: $0, as: UTF8.self) } } == [#"{"a":[1,2.5,true,null]}"#, #""x""#, nil, nil])
        // application/json is the json format.
        let plain = try RestProxyProduceV2.decode(topic: "t", partition: nil, contentType: "application/json; charset=utf-8", body: Array(body.utf8))
        #expect(plain.records.first?.key == decoded.records.first?.key)
    }

    @Test func theBinaryFormatStoresTheDecodedBytes() throws {
        let body = #"{"records":[{"key":"a2V5","value":"S2Fma2E=","partition":2}]}"#
        let decoded = try RestProxyProduceV2.decode(topic: "t", partition: nil, contentType: "application/vnd.kafka.binary.v2+json", body: Array(body.utf8))
        #expect(decoded.records.first?.key == Array("key".utf8))
        #expect(decoded.records.first?.value == Array("Kafka".utf8))
        #expect(decoded.records.first?.partition == 2)
        // The partition route puts every record there, whatever the record says.
        let routed = try RestProxyProduceV2.decode(topic: "t", partition: 0, contentType: "application/vnd.kafka.binary.v2+json", body: Array(body.utf8))
        #expect(routed.records.first?.partition == 0)
        for bad in [#"{"records":[{"value":1}]}"#, #"{"records":[{"value":"%%%"}]}"#] {
            #expect(throws: HTTPProblem.self) {
                try RestProxyProduceV2.decode(topic: "t", partition: nil, contentType: "application/vnd.kafka.binary.v2+json", body: Array(bad.utf8))
            }
        }
    }

    @Test(arguments: ["avro", "jsonschema", "protobuf"]) func schemaFormatsAnswerTheProxysOwnErrors(format: String) {
        let type = "application/vnd.kafka.\(format).v2+json"
        func code(_ body: String) -> Int? {
            do {
                _ = try RestProxyProduceV2.decode(topic: "t", partition: nil, contentType: type, body: Array(body.utf8))
                return nil
            } catch {
                #expect(error.status == 422)
                return error.errorCode
            }
        }
        #expect(code(#"{"value_schema":"{\"type\":\"string\"}","records":[{"value":"x"}]}"#) == 42206)
        #expect(code(#"{"value_schema_id":3,"records":[{"value":"x"}]}"#) == 42206)
        #expect(code(#"{"records":[{"value":"x"}]}"#) == 42207)
    }

    @Test func unsupportedAndUnacceptableMediaTypes() throws {
        for type in ["text/plain", "application/vnd.kafka.v2+json", "application/octet-stream"] {
            #expect(throws: HTTPProblem.self) { try RestProxyMediaType.produceFormat(contentType: type) }
        }
        #expect(throws: HTTPProblem.self) { try RestProxyMediaType.produceFormat(contentType: nil) }
        #expect(try RestProxyMediaType.answerType(accept: nil) == "application/vnd.kafka.v2+json")
        #expect(try RestProxyMediaType.answerType(accept: "text/html, application/json;q=0.5") == "application/json")
        #expect(throws: HTTPProblem.self) { try RestProxyMediaType.answerType(accept: "text/html") }
        // A records read: the embedded type asked for, binary for the plain v2 type (as the proxy serves it).
        #expect(try RestProxyMediaType.readFormat(accept: "application/vnd.kafka.json.v2+json") == .json)
        #expect(try RestProxyMediaType.readFormat(accept: "application/vnd.kafka.v2+json") == .binary)
        #expect(try RestProxyMediaType.readFormat(accept: nil) == .binary)
    }

    @Test func routesAndMethods() throws {
        let routes: [(String, String, String)] = [
            ("GET", "/topics", "list_topics"), ("GET", "/topics/t", "describe_topic"), ("POST", "/topics/t", "produce"),
            ("GET", "/topics/t/partitions", "describe_partitions"), ("GET", "/topics/t/partitions/3", "describe_partitions"),
            ("POST", "/topics/t/partitions/3", "produce"), ("GET", "/topics/t/partitions/3/offsets", "partition_offsets"),
            ("GET", "/brokers", "list_brokers"), ("POST", "/consumers/g", "create_consumer"),
            ("DELETE", "/consumers/g/instances/i", "consumer_delete"),
            ("POST", "/consumers/g/instances/i/subscription", "consumer_subscribe"),
            ("GET", "/consumers/g/instances/i/subscription", "consumer_subscription"),
            ("DELETE", "/consumers/g/instances/i/subscription", "consumer_unsubscribe"),
            ("POST", "/consumers/g/instances/i/assignments", "consumer_assign"),
            ("GET", "/consumers/g/instances/i/assignments", "consumer_assignments"),
            ("POST", "/consumers/g/instances/i/positions", "consumer_seek"),
            ("POST", "/consumers/g/instances/i/positions/beginning", "consumer_seekToBeginning"),
            ("POST", "/consumers/g/instances/i/positions/end", "consumer_seekToEnd"),
            ("GET", "/consumers/g/instances/i/records", "consumer_records"),
            ("POST", "/consumers/g/instances/i/offsets", "consumer_commit"),
            ("GET", "/consumers/g/instances/i/offsets", "consumer_committed"),
        ]
        for (method, path, action) in routes {
            #expect(try RestProxyRouter.match(Self.request(method, path))?.actionName == action, "\(method) \(path)")
        }
        // The function's own routes stay with APIGatewayRouter.
        for path in ["/topics/t/records", "/topics/t/offsets", "/topics/t/rows", "/orders"] {
            #expect(try RestProxyRouter.match(Self.request("GET", path)) == nil, "\(path)")
        }
        for (method, path, allow) in [("PUT", "/consumers/g/instances/i/records", "GET,OPTIONS"), ("GET", "/consumers/g", "POST,OPTIONS")] {
            do {
                _ = try RestProxyRouter.match(Self.request(method, path))
                Issue.record("\(method) \(path) matched")
            } catch {
                #expect(error.status == 405)
                #expect(error.headers.first { $0.0 == "Allow" }?.1 == allow)
            }
        }
    }

    @Test func theStateRecordRoundTrips() throws {
        var state = ConsumerInstanceState(
            group: "api-g", instance: "i-1", format: .json, autoOffsetReset: "earliest", autoCommit: false,
            requestTimeoutMs: 1000, fetchMinBytes: nil, instanceTimeoutMs: 300_000, lastUsedMs: 1_700_000_000_000)
        state.subscription = .pattern("orders-.*")
        state.positions = [TopicPartitionName(topic: "orders-1", partition: 2): 41, TopicPartitionName(topic: "orders-2", partition: 0): 0]
        #expect(ConsumerInstanceState(serialized: state.serialized()) == state)
        state.subscription = nil
        state.assignment = [TopicPartitionName(topic: "a", partition: 1)]
        #expect(ConsumerInstanceState(serialized: state.serialized()) == state)
        #expect(ConsumerInstanceState(serialized: Array("not json".utf8)) == nil)
        #expect(state.isExpired(nowMs: state.lastUsedMs + 300_001))
        #expect(!state.isExpired(nowMs: state.lastUsedMs + 300_000))
        // Keys cannot collide whatever the names hold.
        #expect(ConsumerInstanceState.key(group: "a/b", instance: "c") != ConsumerInstanceState.key(group: "a", instance: "b/c"))
    }
}

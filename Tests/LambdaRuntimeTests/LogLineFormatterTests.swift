import Encoding
import Logging
import Testing

@testable import LambdaRuntime

@Suite struct LogLineFormatterTests {
    // 2023-11-14T22:13:20.123Z
    let instant: Int64 = 1_700_000_000_123

    @Test func textLinesReadTimestampLevelRequestIDMessageMetadata() {
        let line = LogLineFormatter(format: .text).line(
            epochMilliseconds: instant, level: .warning, message: "hello world", requestID: "req-1",
            metadata: ["requestId": "req-1", "topic": "orders", "attempt": "2"])
        #expect(line == "2023-11-14T22:13:20.123Z WARN req-1 hello world attempt=2 topic=orders")
    }

    @Test func textLinesWithoutAnInvocationLeaveTheRequestIDOut() {
        let line = LogLineFormatter(format: .text).line(
            epochMilliseconds: 0, level: .critical, message: "bye", requestID: nil, metadata: [:])
        #expect(line == "1970-01-01T00:00:00.000Z FATAL bye")
    }

    @Test func jsonLinesAreOneParsableObjectWithEscapedText() throws {
        let message = "quote \" backslash \\ newline \n tab \t control \u{01} unicode 🚀"
        let line = LogLineFormatter(format: .json).line(
            epochMilliseconds: instant, level: .info, message: message, requestID: "req-\"2\"",
            metadata: [
                "requestId": "req-\"2\"",
                "topic": "a\"b",
                "partitions": .array(["0", "1"]),
                "nested": .dictionary(["key": "value"]),
                "count": .stringConvertible(7),
                "level": "shadowed",
            ])
        #expect(!line.contains("\n"))
        let object = try parseJSONObject(line)
        #expect(object["timestamp"] as? String == "2023-11-14T22:13:20.123Z")
        #expect(object["level"] as? String == "INFO")
        #expect(object["message"] as? String == message)
        #expect(object["requestId"] as? String == "req-\"2\"")
        #expect(object["topic"] as? String == "a\"b")
        #expect(object["partitions"] as? [String] == ["0", "1"])
        #expect((object["nested"] as? [String: String]) == ["key": "value"])
        #expect(object["count"] as? String == "7")
        #expect(object["metadata.level"] as? String == "shadowed")
    }

    @Test func jsonLinesWithoutAnInvocationHaveNoRequestID() throws {
        let line = LogLineFormatter(format: .json).line(
            epochMilliseconds: instant, level: .debug, message: "m", requestID: nil, metadata: [:])
        let object = try parseJSONObject(line)
        #expect(object["requestId"] == nil)
        #expect(object.count == 3)
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (Int64(951_782_400_999), "2000-02-29T00:00:00.999Z"),
        (Int64(-1), "1969-12-31T23:59:59.999Z"),
        (Int64(4_102_444_799_000), "2099-12-31T23:59:59.000Z"),
    ])
    func timestampsAreISO8601InUTC(_ epochMilliseconds: Int64, _ expected: String) {
        #expect(ISO8601.format(epochMilliseconds: epochMilliseconds, milliseconds: true) == expected)
    }

    @Test func lambdaLevelNamesRoundTrip() {
        for name in ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"] {
            #expect(Logger.Level(lambdaName: name)?.lambdaName == name)
            #expect(Logger.Level(lambdaName: name.lowercased())?.lambdaName == name)
        }
        #expect(Logger.Level(lambdaName: "LOUD") == nil)
    }
}

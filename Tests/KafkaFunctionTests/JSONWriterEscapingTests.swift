import Testing

@testable import APIGatewayFrontEnd
@testable import DirectFrontEnd
@testable import EventSourceFrontEnd
@testable import FunctionCore
@testable import JSON
@testable import KafkaFunction
@testable import WebSocketFrontEnd

/// Answers go to JavaScript consumers and log viewers: line separators and DEL are escaped too.
@Suite struct JSONWriterEscapingTests {
    @Test func lineSeparatorsAndDeleteAreEscaped() {
        let bytes = JSONWriter.serialize(.string("a\u{2028}b\u{2029}c\u{7F}d\u{01}"))
        #expect(String(decoding: bytes, as: UTF8.self) == #""a\u2028b\u2029c\u007fd\u0001""#)
    }
}

// libFuzzer target for event decoding. Built by `scripts/fuzz` against the real KafkaFunction
// module (compiled with -sanitize=fuzzer,address); every input goes through the same decoding
// an invocation does before it reaches Kafka. A crash, a sanitizer report or a broken
// invariant below is a finding.
@_spi(Fuzzing) import KafkaFunction

/// Error messages name the problem; they must never echo unbounded input back.
let maximumMessageBytes = 2048

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEventDecoding(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let event = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    checkJSONRoundTrip(event)
    checkDecoding(event)
    return 0
}

/// A document the parser accepts must survive serialising and parsing again unchanged.
func checkJSONRoundTrip(_ event: [UInt8]) {
    guard let document = try? JSONParser.parse(event) else { return }
    let written = JSONWriter.serialize(document)
    guard let reparsed = try? JSONParser.parse(written) else {
        fatalError("JSONWriter wrote what JSONParser rejects: \(String(decoding: written.prefix(200), as: UTF8.self))")
    }
    guard reparsed == document else {
        fatalError("a JSON round trip changed the document")
    }
}

func checkDecoding(_ event: [UInt8]) {
    switch EventDecodingProbe.decode(event) {
    case .action, .route:
        break
    case let .functionError(type, message, body):
        check(isFunctionErrorType(type), "error type \(type) is not Function.Reason")
        check(!message.isEmpty && message.utf8.count <= maximumMessageBytes, "error message of \(message.utf8.count) bytes")
        guard case let .object(members)? = try? JSONParser.parse(body), members.first?.key == "errorType" else {
            fatalError("the error body is not a JSON object starting with errorType")
        }
    case let .httpProblem(status, message, answer):
        check((400..<500).contains(status), "HTTP \(status) for a request that never reached Kafka")
        check(!message.isEmpty && message.utf8.count <= maximumMessageBytes, "HTTP message of \(message.utf8.count) bytes")
        guard case let .object(members)? = try? JSONParser.parse(answer),
              case let .string(body)? = members.first(where: { $0.key == "body" })?.value,
              case .object? = try? JSONParser.parse(Array(body.utf8))
        else {
            fatalError("the proxy answer is not JSON with a JSON body")
        }
    }
}

func isFunctionErrorType(_ type: String) -> Bool {
    guard type.hasPrefix("Function.") else { return false }
    let reason = type.utf8.dropFirst("Function.".utf8.count)
    guard let first = reason.first, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first), reason.count >= 2 else {
        return false
    }
    return reason.allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }
}

func check(_ condition: Bool, _ problem: @autoclosure () -> String) {
    if !condition { fatalError(problem()) }
}

import Encoding
import Testing

@testable import LambdaRuntime

@Suite struct ResponseStreamTests {
    @Test func base64MatchesTheStandardAlphabetWithPadding() {
        #expect(Base64.encode([]) == "")
        #expect(Base64.encode(Array("f".utf8)) == "Zg==")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.encode(Array("foo".utf8)) == "Zm9v")
        #expect(Base64.encode([0xFB, 0xFF, 0xBF]) == "+/+/")
        #expect(Base64.encode(Array(#"{"errorType":"Function.X"}"#.utf8)) == "eyJlcnJvclR5cGUiOiJGdW5jdGlvbi5YIn0=")
    }
}

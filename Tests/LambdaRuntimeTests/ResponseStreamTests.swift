import Testing

@testable import LambdaRuntime

@Suite struct ResponseStreamTests {
    @Test func base64MatchesTheStandardAlphabetWithPadding() {
        #expect(Base64Text.encode([]) == "")
        #expect(Base64Text.encode(Array("f".utf8)) == "Zg==")
        #expect(Base64Text.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64Text.encode(Array("foo".utf8)) == "Zm9v")
        #expect(Base64Text.encode([0xFB, 0xFF, 0xBF]) == "+/+/")
        #expect(Base64Text.encode(Array(#"{"errorType":"Function.X"}"#.utf8)) == "eyJlcnJvclR5cGUiOiJGdW5jdGlvbi5YIn0=")
    }
}

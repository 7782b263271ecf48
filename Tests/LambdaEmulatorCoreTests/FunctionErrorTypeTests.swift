import LambdaEmulatorCore
import Testing

@Suite struct FunctionErrorTypeTests {
    @Test(arguments: ["Runtime.Unknown", "Function.MyError", "Runtime.ExitError", "Function.Xy"])
    func keepsWellFormedTypes(_ value: String) {
        #expect(FunctionErrorType.normalized(value) == value)
    }

    @Test(arguments: [
        "", "Runtime", "Runtime.", "Runtime.X", "Runtime.lowercase", "Other.Error", "Function.My_Error",
        "Function.My.Error", "Function.Err0r", "runtime.Error", " Function.Error",
    ])
    func replacesMalformedTypes(_ value: String) {
        #expect(FunctionErrorType.normalized(value) == "Runtime.Unknown")
    }

    @Test func replacesAMissingHeader() {
        #expect(FunctionErrorType.normalized(nil) == "Runtime.Unknown")
    }
}

import LambdaEmulatorCore
import Testing

@Suite struct EmulatorRouteTests {
    @Test func recognisesTheInvokeAPIForAnyFunctionName() {
        #expect(EmulatorRoute(method: "POST", uri: "/2015-03-31/functions/function/invocations")
            == .invoke(functionName: "function"))
        #expect(EmulatorRoute(method: "POST", uri: "/2015-03-31/functions/my-fn/invocations?Qualifier=1")
            == .invoke(functionName: "my-fn"))
        #expect(EmulatorRoute(method: "GET", uri: "/2015-03-31/functions/function/invocations") == nil)
    }

    @Test func recognisesTheRuntimeAPI() {
        #expect(EmulatorRoute(method: "GET", uri: "/2018-06-01/runtime/invocation/next") == .nextInvocation)
        #expect(EmulatorRoute(method: "POST", uri: "/2018-06-01/runtime/invocation/abc-1/response")
            == .invocationResponse(requestID: "abc-1"))
        #expect(EmulatorRoute(method: "POST", uri: "/2018-06-01/runtime/invocation/abc-1/error")
            == .invocationError(requestID: "abc-1"))
        #expect(EmulatorRoute(method: "POST", uri: "/2018-06-01/runtime/init/error") == .initError)
    }

    @Test func rejectsWrongMethodsAndUnknownPaths() {
        #expect(EmulatorRoute(method: "POST", uri: "/2018-06-01/runtime/invocation/next") == nil)
        #expect(EmulatorRoute(method: "POST", uri: "/2018-06-01/runtime/invocation/abc/other") == nil)
        #expect(EmulatorRoute(method: "GET", uri: "/2018-06-01/runtime/invocation/abc/response") == nil)
        #expect(EmulatorRoute(method: "GET", uri: "/") == nil)
        #expect(EmulatorRoute(method: "PUT", uri: "/_emulator/faults") == nil)
    }

    @Test func recognisesTheAdminEndpoints() {
        #expect(EmulatorRoute(method: "GET", uri: "/_emulator/status") == .status)
        #expect(EmulatorRoute(method: "POST", uri: "/_emulator/faults") == .faults(method: .post))
        #expect(EmulatorRoute(method: "DELETE", uri: "/_emulator/faults") == .faults(method: .delete))
        #expect(EmulatorRoute(method: "GET", uri: "/_emulator/faults") == .faults(method: .get))
    }
}

@Suite struct RouteListenerTests {
    @Test func onlyTheInvokeAPIIsServedBeyondLoopback() {
        #expect(EmulatorRoute.invoke(functionName: "function").listener == .invocations)
        #expect(EmulatorRoute.streamingInvoke(functionName: "function").listener == .invocations)
        let loopbackOnly: [EmulatorRoute] = [
            .nextInvocation, .invocationResponse(requestID: "a"), .invocationError(requestID: "a"), .initError,
            .faults(method: .get), .faults(method: .post), .faults(method: .delete), .status,
        ]
        for route in loopbackOnly {
            #expect(route.listener == .runtime, "\(route)")
        }
    }
}

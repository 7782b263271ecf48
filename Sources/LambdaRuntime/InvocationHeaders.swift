import LambdaWire
import Logging

/// Builds an invocation's context from the headers of the Runtime API's `next` answer.
enum InvocationHeaders {
    static let requestID = RuntimeAPIHeader.requestID
    static let deadline = RuntimeAPIHeader.deadline
    static let functionARN = RuntimeAPIHeader.functionARN
    static let traceID = RuntimeAPIHeader.traceID
    static let clientContext = RuntimeAPIHeader.clientContext
    static let cognitoIdentity = RuntimeAPIHeader.cognitoIdentity
    static let tenantID = RuntimeAPIHeader.tenantID

    /// - Parameter headers: names in lower case, as `HTTPResponse` keeps them.
    static func context(
        from headers: [(name: String, value: String)], logger: Logger
    ) throws(RuntimeAPIError) -> InvocationContext {
        func value(_ name: String) -> String? {
            headers.first { $0.name == name }.flatMap { $0.value.isEmpty ? nil : $0.value }
        }
        guard let requestID = value(requestID) else {
            throw .malformedInvocation("the next invocation has no Lambda-Runtime-Aws-Request-Id header")
        }
        // The id goes into the URL path of the answer, so it must not carry path or query syntax.
        guard requestID.utf8.allSatisfy(isRequestIDByte) else {
            throw .malformedInvocation("the next invocation's request id has characters outside [A-Za-z0-9._-]")
        }
        guard let deadlineText = value(deadline), let deadline = Int64(deadlineText) else {
            throw .malformedInvocation("invocation \(requestID) has no valid Lambda-Runtime-Deadline-Ms header")
        }
        var logger = logger
        logger[metadataKey: LogLineFormatter.requestIDKey] = .string(requestID)
        var context = InvocationContext(
            requestID: requestID,
            deadlineEpochMilliseconds: deadline,
            invokedFunctionARN: value(functionARN) ?? "",
            traceID: value(traceID),
            clientContext: value(clientContext),
            cognitoIdentity: value(cognitoIdentity),
            logger: logger)
        context.tenantID = value(tenantID)
        return context
    }

    private static func isRequestIDByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
}

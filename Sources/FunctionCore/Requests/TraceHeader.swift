/// The record header that carries an invocation's X-Ray trace id (`LAMBDA_KAFKA_TRACE_HEADER`).
package enum TraceHeader {
    package static let name = "X-Amzn-Trace-Id"

    /// Header names compare without regard to case.
    package static func matches(_ name: String) -> Bool {
        name.utf8.count == Self.name.utf8.count && name.lowercased() == Self.name.lowercased()
    }
}

import FunctionMetrics
import LambdaRuntime
import Logging

/// One invocation as the front-ends and actions see it: when the work must be done, the trace id
/// for produced records, the logger, the figures gathered so far and the means to stream the answer.
///
/// Handed down by reference instead of threading each part `inout` through the layers. Made per
/// invocation and used only on the loop thread that runs it, so it is neither shared nor `Sendable`.
package final class FunctionInvocation {
    /// When Kafka work must be done: the invocation's deadline less the safety margin.
    package let deadline: ContinuousClock.Instant
    /// The invocation's trace id when `LAMBDA_KAFKA_TRACE_HEADER` puts it on produced records, else nil.
    package let traceID: String?
    /// Logs with the request id as metadata.
    package let logger: Logger
    package var metrics = InvocationMetrics()
    /// The runtime's responder (`InvocationContext.responder`), shared by reference: opening its
    /// stream anywhere below is seen by the run loop. Nil when the invocation cannot be streamed.
    package let responder: StreamingResponder?

    package init(deadline: ContinuousClock.Instant, traceID: String?, logger: Logger, responder: StreamingResponder? = nil) {
        self.deadline = deadline
        self.traceID = traceID
        self.logger = logger
        self.responder = responder
    }
}

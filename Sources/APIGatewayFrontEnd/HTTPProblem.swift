import FunctionCore
import JSON

/// An HTTP answer for a request the function cannot serve: a status and a message.
package struct HTTPProblem: Error {
    package var status: Int
    package var message: String
    package var headers: [(String, String)] = []
    /// The body's `error_code`: the status, or a Kafka REST proxy code such as 40401 (topic not found).
    package var errorCode: Int

    package init(_ status: Int, _ message: String, headers: [(String, String)] = [], errorCode: Int? = nil) {
        self.status = status
        self.message = message
        self.headers = headers
        self.errorCode = errorCode ?? status
    }

    /// The Kafka REST proxy's answer for a topic that does not exist.
    package static let topicNotFound = HTTPProblem(404, "Topic not found.", errorCode: 40401)

    /// A server-side failure's message can name the role, account, files or brokers the function
    /// uses: it goes to the log, and the caller gets a generic one. Client mistakes (4xx) are kept.
    package func forAPICaller(log: (String) -> Void) -> HTTPProblem {
        guard status >= 500 else { return self }
        log("API answer \(status): \(message)")
        return HTTPProblem(status, GenericFailureMessage.forStatus(status), headers: headers, errorCode: errorCode)
    }
}

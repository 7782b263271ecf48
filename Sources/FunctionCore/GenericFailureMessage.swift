/// What an API or WebSocket caller reads in place of a server-side failure's message, which can
/// name the role, account, files or brokers the function uses; that message goes to the log.
package enum GenericFailureMessage {
    /// The message for an HTTP-like status of 500 and above.
    package static func forStatus(_ status: Int) -> String {
        switch status {
        case 504: "Kafka did not answer in time; the function's log has the details"
        case 502: "Kafka failed or refused the request; the function's log has the details"
        default: "Internal error; the function's log has the details"
        }
    }
}

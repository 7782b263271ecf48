import CRdKafka
import Encoding

/// What librdkafka's callbacks for one client need, reached through the handle's opaque pointer.
/// Its `NativeClient` keeps it alive until after `rd_kafka_destroy`.
final class ClientContext: Sendable {
    let logSink: LogSink
    let tokenProvider: (any OAuthBearerTokenProvider)?

    init(logSink: LogSink, tokenProvider: (any OAuthBearerTokenProvider)?) {
        self.logSink = logSink
        self.tokenProvider = tokenProvider
    }

    /// Answers librdkafka's OAUTHBEARER token refresh request (on its background thread) with a fresh
    /// token, or with a failure reason that names the failing credential source but no secret.
    func refreshToken(handle: OpaquePointer) {
        guard let tokenProvider else {
            rd_kafka_oauthbearer_set_token_failure(handle, "no OAUTHBEARER token provider configured")
            return
        }
        let token: OAuthBearerToken
        do {
            token = try tokenProvider.oauthBearerToken()
        } catch {
            // Credential errors describe sources, variables and statuses, never key material.
            fail(handle: handle, reason: "cannot make an \(tokenProvider.tokenKind) token: \(error)")
            return
        }
        logSink.addToken(token.value)
        var reason = CString.errorBuffer()
        let result = rd_kafka_oauthbearer_set_token(
            handle, token.value, token.expiresAtEpochMilliseconds, token.principalName, nil, 0, &reason, reason.count)
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            let text = CString.decode(reason)
            fail(handle: handle, reason: "librdkafka rejected the \(tokenProvider.tokenKind) token: \(text)")
        }
    }

    /// librdkafka reports a token failure only through the event queue nobody polls, and requests then
    /// time out: log it, and keep it as the broker failure that explains the timeout.
    private func fail(handle: OpaquePointer, reason: String) {
        let redacted = logSink.redact(reason)
        logSink.logger.error("SASL/OAUTHBEARER token refresh failed: \(redacted)")
        logSink.lastBrokerFailure = "SASL/OAUTHBEARER token refresh failed: \(redacted)"
        rd_kafka_oauthbearer_set_token_failure(handle, redacted)
    }
}

/// The local gateway's settings from the command line.
struct GatewayOptions: Sendable {
    /// `--allow-origin` values; the gateway's own origins are always allowed.
    var allowedOrigins: [String] = []
    /// `--websocket-binary`: binary frames reach the function base64-encoded instead of closing with 1003.
    var webSocketBinary = false
    /// `--websocket-max-in-flight`: one connection's unanswered messages at most; one more closes it with 1013.
    var maxInFlightPerConnection = 64
}

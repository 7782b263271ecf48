import Foundation
import NIOCore

/// One client connection to the local gateway, as its WebSocket API events describe it.
///
/// `@unchecked Sendable`: mutated only on the connection's event loop (NIO's upgrade callbacks
/// and the connection's handlers all run there).
final class GatewayConnection: @unchecked Sendable {
    let id: String
    let host: String
    let sourceIP: String
    let connectedAt = Date()
    /// The `$connect` answer's status when the function refused the connection.
    var refusedStatus: Int?
    var closeCode = 1005
    var closeReason = ""
    /// `$disconnect` is sent once, whichever way the connection ends.
    var disconnectSent = false
    /// A close frame was sent or echoed: nothing more is invoked.
    var closing = false
    /// Messages invoked and not yet answered.
    var messagesInFlight = 0

    init(host: String, sourceIP: String) {
        self.host = host
        self.sourceIP = sourceIP
        // API Gateway's ids look like `L0SM9cOFvHcCIhw=`: 10 random bytes in base64.
        id = Data((0..<10).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
    }
}

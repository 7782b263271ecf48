import Foundation
import LambdaEmulatorCore
import NIOCore
import NIOHTTP1

extension Emulator {
    /// `POST /2020-01-01/extension/register`: enough of the Extensions API for an internal extension
    /// that registers for no events (the bootstrap's `LAMBDA_RUNTIME_SHUTDOWN_EXTENSION`). Events
    /// are never delivered; the emulator sends SIGTERM on shutdown whether or not one registered.
    func registerExtension(_ request: EmulatorRequest) -> EmulatorResponse {
        guard let name = request.header("Lambda-Extension-Name"), !name.isEmpty, name.utf8.count <= 128 else {
            return .error(.badRequest, LambdaErrorBody(
                errorMessage: "Lambda-Extension-Name is required", errorType: "Extension.InvalidName"))
        }
        let identifier = UUID().uuidString.lowercased()
        extensions[identifier] = name
        log("extension registered: \(name)")
        let body = #"{"functionName":"function","functionVersion":"$LATEST","handler":"bootstrap"}"#
        return .json(.ok, body, headers: ["Lambda-Extension-Identifier": identifier])
    }

    /// `GET /2020-01-01/extension/event/next`: waits until the bootstrap ends.
    func extensionNext(_ request: EmulatorRequest) -> EventLoopFuture<EmulatorResponse> {
        guard let identifier = request.header("Lambda-Extension-Identifier"), extensions[identifier] != nil else {
            return loop.makeSucceededFuture(.error(.forbidden, LambdaErrorBody(
                errorMessage: "unknown Lambda-Extension-Identifier", errorType: "Extension.Unknown")))
        }
        let promise = loop.makePromise(of: EmulatorResponse.self)
        waitingExtensions.append(promise)
        return promise.futureResult
    }

    /// The bootstrap ended: its extensions go with it.
    func releaseExtensions() {
        for waiter in waitingExtensions {
            waiter.succeed(.error(.gone, EmulatorErrors.shuttingDown))
        }
        waitingExtensions = []
        extensions = [:]
    }
}

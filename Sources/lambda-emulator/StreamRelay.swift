import Foundation
import LambdaEmulatorCore
import NIOCore
import NIOHTTP1

/// Carries a streamed response (`Lambda-Runtime-Function-Response-Mode: streaming`) from the
/// runtime to the caller. A caller of the streaming Invoke route gets each chunk as it arrives and
/// the error trailers at the end; a caller of the buffered route gets the whole body at the end,
/// as Lambda buffers a streamed answer for a synchronous invoke (up to its 6 MB limit).
///
/// Confined to the emulator's one event loop, like `Emulator`. Chunks are forwarded as they come,
/// without backpressure: a slow caller makes the emulator hold what it has not taken yet.
final class StreamRelay: @unchecked Sendable {
    static let errorTypeTrailer = "Lambda-Runtime-Function-Error-Type"
    static let errorBodyTrailer = "Lambda-Runtime-Function-Error-Body"
    /// Lambda's limit for a streamed response.
    static let limitBytes = 200 * 1024 * 1024

    let passThrough: Bool
    private(set) var bytes = 0
    /// The buffered route's body, kept up to `EmulatorErrors.maxResponseBytes`.
    private(set) var buffered = ByteBuffer()
    private var caller: (any StreamRelayReceiver)?
    private var early: [ByteBuffer] = []
    private var ending: HTTPHeaders??
    private(set) var finished = false

    init(passThrough: Bool) {
        self.passThrough = passThrough
    }

    var exceededLimit: Bool { bytes > Self.limitBytes }
    var exceededBufferedLimit: Bool { bytes > EmulatorErrors.maxResponseBytes }

    /// The caller's answer head was written on `channel`: send what arrived before, and the end if it came.
    func attach(_ channel: Channel, keepAlive: Bool) {
        attach(ChannelStreamReceiver(channel: channel, keepAlive: keepAlive))
    }

    /// `receiver` takes the chunks from now on: what arrived before, and the end if it came.
    func attach(_ receiver: any StreamRelayReceiver) {
        caller = receiver
        receiver.receive(early)
        early = []
        if let ending {
            self.ending = nil
            end(trailers: ending)
        }
    }

    func write(_ chunk: ByteBuffer) {
        guard !finished else { return }
        bytes += chunk.readableBytes
        guard !exceededLimit else { return }
        guard passThrough else {
            if !exceededBufferedLimit {
                var copy = chunk
                buffered.writeBuffer(&copy)
            }
            return
        }
        if let caller {
            caller.receive([chunk])
        } else {
            early.append(chunk)
        }
    }

    /// Ends the caller's answer; `errorBody` (a Lambda error JSON) goes into the trailers.
    func finish(errorType: String?, errorBody: ByteBuffer?) {
        guard !finished else { return }
        finished = true
        guard passThrough else { return }
        var trailers: HTTPHeaders?
        if let errorType {
            var headers = HTTPHeaders()
            headers.add(name: Self.errorTypeTrailer, value: errorType)
            if let errorBody {
                headers.add(name: Self.errorBodyTrailer, value: Data(errorBody.readableBytesView).base64EncodedString())
            }
            trailers = headers
        }
        if caller == nil {
            ending = .some(trailers)
        } else {
            end(trailers: trailers)
        }
    }

    private func end(trailers: HTTPHeaders?) {
        caller?.end(trailers: trailers)
    }
}

/// Where a relay delivers a streamed answer; called on the emulator's event loop.
protocol StreamRelayReceiver: AnyObject {
    func receive(_ chunks: [ByteBuffer])
    /// The stream ended; the trailers carry the function's error, if any.
    func end(trailers: HTTPHeaders?)
}

/// The streaming Invoke route's caller: chunks and trailers as they are.
final class ChannelStreamReceiver: StreamRelayReceiver {
    private let channel: Channel
    private let keepAlive: Bool

    init(channel: Channel, keepAlive: Bool) {
        self.channel = channel
        self.keepAlive = keepAlive
    }

    func receive(_ chunks: [ByteBuffer]) {
        for chunk in chunks {
            channel.write(HTTPServerResponsePart.body(.byteBuffer(chunk)), promise: nil)
        }
        channel.flush()
    }

    func end(trailers: HTTPHeaders?) {
        let done = channel.writeAndFlush(HTTPServerResponsePart.end(trailers))
        if !keepAlive {
            let channel = channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}

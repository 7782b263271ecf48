import Foundation

/// Signals blocked in every thread and received by one waiting thread instead of a handler.
struct SignalSet: Sendable {
    private let signals: [Int32]

    static func blocking(_ signals: [Int32]) -> SignalSet {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        return SignalSet(signals: signals)
    }

    /// Calls `handler` (on a background thread) with the first of these signals to arrive.
    func waitInBackground(_ handler: @escaping @Sendable (Int32) -> Void) {
        let signals = signals
        Thread.detachNewThread {
            var set = sigset_t()
            sigemptyset(&set)
            for signal in signals { sigaddset(&set, signal) }
            var received: Int32 = 0
            if sigwait(&set, &received) == 0 { handler(received) }
        }
    }
}

/// A pipe whose read end becomes readable once `signal()` is called.
struct WakeupPipe: Sendable {
    let readEnd: Int32
    let writeEnd: Int32

    static func make() throws -> WakeupPipe {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw MockClusterError(description: "pipe() failed: \(errno)") }
        return WakeupPipe(readEnd: fds[0], writeEnd: fds[1])
    }

    func wake() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }
}

/// Lines from a file descriptor, read with poll() so a second descriptor can interrupt the wait.
struct LineReader {
    let fileDescriptor: Int32
    private var buffer: [UInt8] = []
    private var reachedEnd = false
    static let maximumLineLength = 64 * 1024

    init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    /// The next line, or nil at end of input or once `stop` is readable.
    mutating func nextLine(orStopWhenReadable stop: Int32) -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            if buffer.count > Self.maximumLineLength {
                // No command is this long: hand it on whole to be answered as an error.
                defer { buffer.removeAll() }
                return String(decoding: buffer, as: UTF8.self)
            }
            if reachedEnd {
                guard !buffer.isEmpty else { return nil }
                defer { buffer.removeAll() }
                return String(decoding: buffer, as: UTF8.self)
            }
            var fds = [pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0), pollfd(fd: stop, events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 2, -1) >= 0 else {
                if errno == EINTR { continue }
                return nil
            }
            if fds[1].revents != 0 { return nil }
            guard fds[0].revents != 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = read(fileDescriptor, &chunk, chunk.count)
            if count > 0 {
                buffer.append(contentsOf: chunk[..<count])
            } else if count == 0 || errno != EINTR {
                reachedEnd = true
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// stdout and stderr, written a line at a time: Lambda sends both to CloudWatch Logs.
package enum StandardStream {
    /// Metric lines.
    case output
    /// Log lines.
    case error

    private var descriptor: Int32 {
        switch self {
        case .output: 1
        case .error: 2
        }
    }

    /// One `write` per line (retried for the rest when partial) keeps lines from different
    /// threads whole.
    package func writeLine(_ line: [UInt8]) {
        let bytes = line + [UInt8(ascii: "\n")]
        bytes.withUnsafeBufferPointer { buffer in
            guard var next = buffer.baseAddress else { return }
            var remaining = buffer.count
            while remaining > 0 {
                let written = write(descriptor, next, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                next += written
                remaining -= written
            }
        }
    }
}

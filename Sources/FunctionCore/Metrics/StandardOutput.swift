#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JSON

/// Metric lines go to stdout, which Lambda sends to CloudWatch Logs like stderr.
package enum StandardOutput {
    /// One `write` per line (retried for the rest when partial) keeps lines whole.
    package static func writeLine(_ line: [UInt8]) {
        let bytes = line + [UInt8(ascii: "\n")]
        bytes.withUnsafeBufferPointer { buffer in
            guard var next = buffer.baseAddress else { return }
            var remaining = buffer.count
            while remaining > 0 {
                let written = write(1, next, remaining)
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

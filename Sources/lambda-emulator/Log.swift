#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One concise line on stderr, prefixed with the program name.
func log(_ message: String) {
    writeLine("lambda-emulator: \(message)", to: STDERR_FILENO)
}

/// Writes a whole line with write(2): unbuffered, so it is visible at once, and never interleaved mid-line.
func writeLine(_ text: String, to descriptor: Int32) {
    var bytes = Array((text + "\n").utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeMutableBytes { buffer in
            write(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
        }
        if written < 0 {
            if errno == EINTR { continue }
            return
        }
        offset += written
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum FileReadError: Error, CustomStringConvertible {
    case cannotOpen(path: String, errno: Int32)
    case tooLarge(path: String)

    var description: String {
        switch self {
        case .cannotOpen(let path, let code):
            return "cannot read \(path): \(String(cString: strerror(code)))"
        case .tooLarge(let path):
            return "\(path) is larger than 1 MiB"
        }
    }

    var isMissing: Bool {
        if case .cannotOpen(_, let code) = self { return code == ENOENT || code == ENOTDIR }
        return false
    }
}

/// Reads a small text file whole (config files, token files).
func readSmallFile(_ path: String, limit: Int = 1 << 20) throws(FileReadError) -> String {
    guard let file = fopen(path, "rb") else { throw .cannotOpen(path: path, errno: errno) }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 8192)
    while true {
        let count = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        if count == 0 { break }
        bytes.append(contentsOf: buffer[0..<count])
        if bytes.count > limit { throw .tooLarge(path: path) }
    }
    if ferror(file) != 0 { throw .cannotOpen(path: path, errno: errno) }
    return String(decoding: bytes, as: UTF8.self)
}

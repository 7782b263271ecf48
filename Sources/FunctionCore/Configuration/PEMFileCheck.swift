#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import JSON

/// Checks that a file can be read and holds at least one PEM certificate.
package enum PEMFileCheck {
    package enum Outcome: Equatable {
        case ok, noCertificate
        case unreadable(String)
    }

    package static let maximumBytes = 8 << 20

    package static func certificates(at path: String) -> Outcome {
        guard let file = fopen(path, "r") else { return .unreadable(String(cString: strerror(errno))) }
        defer { fclose(file) }
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while contents.count < maximumBytes {
            let count = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count > 0 { contents.append(contentsOf: buffer[0..<count]) }
            if count < buffer.count {
                if ferror(file) != 0 { return .unreadable(String(cString: strerror(errno))) }
                break
            }
        }
        let marker = Array("-----BEGIN CERTIFICATE-----".utf8)
        guard contents.count >= marker.count else { return .noCertificate }
        for start in 0...(contents.count - marker.count) where contents[start] == marker[0] {
            if contents[start..<start + marker.count].elementsEqual(marker) { return .ok }
        }
        return .noCertificate
    }
}

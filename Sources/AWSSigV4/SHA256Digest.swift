import CLibCrypto

/// SHA-256 and HMAC-SHA256 (RFC 2104) over libcrypto's SHA-256, with no allocation and no failure path.
enum SHA256Digest {
    static let byteCount = 32
    private static let blockSize = 64

    static func hash(_ bytes: [UInt8]) -> [UInt8] {
        hash(parts: [bytes])
    }

    static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block = key.count > blockSize ? hash(key) : key
        block += [UInt8](repeating: 0, count: blockSize - block.count)
        let inner = hash(parts: [block.map { $0 ^ 0x36 }, message])
        return hash(parts: [block.map { $0 ^ 0x5c }, inner])
    }

    private static func hash(parts: [[UInt8]]) -> [UInt8] {
        var context = SHA256_CTX()
        SHA256_Init(&context)
        for part in parts {
            part.withUnsafeBytes { _ = SHA256_Update(&context, $0.baseAddress, $0.count) }
        }
        var digest = [UInt8](repeating: 0, count: byteCount)
        digest.withUnsafeMutableBufferPointer { _ = SHA256_Final($0.baseAddress, &context) }
        return digest
    }
}

/// Text that C libraries (librdkafka, libcurl) write into caller-owned `char` buffers.
public enum CString {
    /// A zeroed buffer for a C call's error text (librdkafka asks for one of about 512 bytes).
    public static func errorBuffer(capacity: Int = 512) -> [CChar] {
        [CChar](repeating: 0, count: capacity)
    }

    /// The text up to the first NUL (or the whole buffer when there is none); invalid UTF-8 is repaired.
    public static func decode(_ buffer: [CChar]) -> String {
        buffer.withUnsafeBufferPointer { characters in
            let length = characters.firstIndex(of: 0) ?? characters.count
            return characters.withMemoryRebound(to: UInt8.self) { bytes in
                String(decoding: UnsafeBufferPointer(rebasing: bytes[..<length]), as: UTF8.self)
            }
        }
    }
}

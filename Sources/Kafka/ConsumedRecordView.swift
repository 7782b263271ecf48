import CRdKafka

/// A consumed record read in place: its key, value and headers point into librdkafka's message and
/// are valid only while the `accept` closure it is handed to runs (copy what must outlive it, or use
/// `ConsumedRecord`). Rendering straight from the message saves a copy of every record.
public struct ConsumedRecordView {
    public let partition: Int32
    public let offset: Int64
    public let timestampMs: Int64?
    /// nil: no key. Never a NULL address when present, even when empty.
    public let key: UnsafeRawBufferPointer?
    /// nil: a null value (a tombstone).
    public let value: UnsafeRawBufferPointer?
    private let headerList: OpaquePointer?

    init(_ message: UnsafeMutablePointer<rd_kafka_message_t>) {
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        partition = message.pointee.partition
        offset = message.pointee.offset
        timestampMs = timestamp >= 0 ? timestamp : nil
        key = message.pointee.key.map { UnsafeRawBufferPointer(start: $0, count: message.pointee.key_len) }
        value = message.pointee.payload.map { UnsafeRawBufferPointer(start: $0, count: message.pointee.len) }
        var list: OpaquePointer?
        headerList = rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR ? list : nil
    }

    /// A view of a record already copied out (the caller keeps `record` alive while the view is used).
    public init(partition: Int32, offset: Int64, timestampMs: Int64?, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?) {
        self.partition = partition
        self.offset = offset
        self.timestampMs = timestampMs
        self.key = key
        self.value = value
        headerList = nil
        copiedHeaders = nil
    }

    /// Set by `ConsumedRecord.withView` for a record whose headers are already Swift values.
    fileprivate var copiedHeaders: [(String, [UInt8])]?

    public var hasHeaders: Bool {
        if let copiedHeaders { return !copiedHeaders.isEmpty }
        guard let headerList else { return false }
        return rd_kafka_header_cnt(headerList) > 0
    }

    /// Calls `body` with each header's name and value (empty for a null value), in order.
    public func forEachHeader(_ body: (String, UnsafeRawBufferPointer) -> Void) {
        if let copiedHeaders {
            for (name, value) in copiedHeaders {
                value.withUnsafeBytes { body(name, $0) }
            }
            return
        }
        guard let headerList else { return }
        var index = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(headerList, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            body(name.map { String(cString: $0) } ?? "", UnsafeRawBufferPointer(start: value, count: value == nil ? 0 : size))
            index += 1
        }
    }

    /// The record copied out of librdkafka's message.
    public func copied() -> ConsumedRecord {
        var headers: [(String, [UInt8])] = []
        forEachHeader { name, value in headers.append((name, [UInt8](value))) }
        return ConsumedRecord(
            partition: partition, offset: offset, timestampMs: timestampMs,
            key: key.map { [UInt8]($0) }, value: value.map { [UInt8]($0) }, headers: headers)
    }
}

extension ConsumedRecord {
    /// Calls `body` with a view of this record (for code written against views).
    public func withView<Result>(_ body: (ConsumedRecordView) -> Result) -> Result {
        withOptionalBytes(key) { key in
            withOptionalBytes(value) { value in
                var view = ConsumedRecordView(partition: partition, offset: offset, timestampMs: timestampMs, key: key, value: value)
                view.copiedHeaders = headers
                return body(view)
            }
        }
    }
}

/// `bytes` as a buffer with a non-NULL address even when empty, or nil.
private func withOptionalBytes<Result>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> Result) -> Result {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { buffer in
        buffer.baseAddress == nil ? withUnsafeBytes(of: 0) { body(UnsafeRawBufferPointer(rebasing: $0[0..<0])) } : body(buffer)
    }
}

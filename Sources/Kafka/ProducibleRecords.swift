/// The bytes of one record to produce, at addresses that stay valid for the whole `send` call.
public struct RecordBytes {
    public var key: UnsafeRawBufferPointer?
    /// nil produces a null value (a tombstone on compacted topics).
    public var value: UnsafeRawBufferPointer?
    /// nil lets the partitioner choose.
    public var partition: Int32?
    public var headerCount: Int

    public init(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?, partition: Int32?, headerCount: Int) {
        self.key = key
        self.value = value
        self.partition = partition
        self.headerCount = headerCount
    }
}

/// Records handed to the producer without copying them into `OutgoingRecord`s first: each record's
/// bytes go straight from where they are (an event buffer, an arena) to librdkafka.
///
/// A conformer is only used inside the scope that keeps its pointers valid.
public protocol ProducibleRecords {
    var count: Int { get }
    func record(_ index: Int) -> RecordBytes
    /// Header `number` (0 ..< `record(index).headerCount`) of record `index`.
    func header(_ number: Int, ofRecord index: Int) -> (name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)
}

import JSON
import Kafka

/// What `produce` sends when the event names no records: two small user records, enough to see
/// a round trip work end to end.
package enum SampleRecords {
    package static let records: [OutgoingRecord] = [
        sample(key: "user-1", value: #"{"id":1,"name":"Ada Lovelace","email":"ada@example.com","plan":"pro"}"#),
        sample(key: "user-2", value: #"{"id":2,"name":"Alan Turing","email":"alan@example.com","plan":"free"}"#),
    ]

    private static func sample(key: String, value: String) -> OutgoingRecord {
        OutgoingRecord(
            key: Array(key.utf8), value: Array(value.utf8),
            headers: [("content-type", Array("application/json".utf8))], partition: nil)
    }

    /// `count` records of `valueBytes` bytes, for load tests: one value buffer, sent `count` times.
    package static func withGenerated<R>(count: Int, valueBytes: Int, _ body: (GeneratedRecords) -> R) -> R {
        let pattern = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        let value = (0..<valueBytes).map { pattern[$0 % pattern.count] }
        return value.withUnsafeBytes { body(GeneratedRecords(count: count, value: $0)) }
    }

    package struct GeneratedRecords: ProducibleRecords {
        package let count: Int
        package let value: UnsafeRawBufferPointer

        package func record(_ index: Int) -> RecordBytes {
            RecordBytes(key: nil, value: value, partition: nil, headerCount: 0)
        }

        package func header(_ number: Int, ofRecord index: Int) -> (name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
            (UnsafeRawBufferPointer(start: nil, count: 0), UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }
}

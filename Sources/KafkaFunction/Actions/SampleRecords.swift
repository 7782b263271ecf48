import Kafka

/// What `produce` sends when the event names no records: two small user records, enough to see
/// a round trip work end to end.
enum SampleRecords {
    static let records: [OutgoingRecord] = [
        sample(key: "user-1", value: #"{"id":1,"name":"Ada Lovelace","email":"ada@example.com","plan":"pro"}"#),
        sample(key: "user-2", value: #"{"id":2,"name":"Alan Turing","email":"alan@example.com","plan":"free"}"#),
    ]

    private static func sample(key: String, value: String) -> OutgoingRecord {
        OutgoingRecord(
            key: Array(key.utf8), value: Array(value.utf8),
            headers: [("content-type", Array("application/json".utf8))], partition: nil)
    }

    /// `count` records of `valueBytes` bytes, for load tests.
    static func generated(count: Int, valueBytes: Int) -> [OutgoingRecord] {
        let pattern = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        let value = (0..<valueBytes).map { pattern[$0 % pattern.count] }
        return [OutgoingRecord](repeating: OutgoingRecord(key: nil, value: value, headers: [], partition: nil), count: count)
    }
}

import CRdKafka
@testable import Kafka
import Testing

/// Records handed over as `ProducibleRecords` (as the function's events are) go to librdkafka in
/// runs, one `rd_kafka_produce_batch` per run of records without headers (`RecordRuns`); these
/// check that each record still lands exactly once, where its report says, with its bytes.
@Suite(.offCooperativePool) struct RecordRunsTests {
    @Test func recordsInRunsAndAloneLandWhereTheirReportsSay() throws {
        let fixture = try KafkaFixture()
        try fixture.createTopic("runs")
        let records = (0..<3000).map(Self.mixedRecord)
        let producer = try fixture.producer()
        let reports = FlatRecords(records).withProducible { view in
            producer.send(topic: "runs", records: view, deadline: deadline(seconds: 60))
        }

        #expect(reports.map(\.index) == Array(records.indices))
        let acknowledged = try reports.map { report in
            try #require(report.acknowledgement, "record \(report.index): \(String(describing: report.error))")
        }
        #expect(Set(acknowledged.map { "\($0.partition)/\($0.offset)" }).count == records.count, "each record got its own offset")
        for (index, record) in records.enumerated() where record.partition != nil {
            #expect(acknowledged[index].partition == record.partition, "record \(index)")
        }
        for key in 0..<41 {
            let partitions = Set(records.indices.filter { records[$0].partition == nil && records[$0].key == bytes("key-\(key)") }
                .map { acknowledged[$0].partition })
            #expect(partitions.count == 1, "key-\(key) went to \(partitions)")
        }
        let result = try fixture.consumer().consumeAll(ConsumeRequest(topic: "runs", start: .beginning, maxRecords: 10_000, deadline: deadline()))
        #expect(result.records.count == records.count)
        var stored: [String: ConsumedRecord] = [:]
        for record in result.records { stored["\(record.partition)/\(record.offset)"] = record }
        for (index, record) in records.enumerated() {
            let consumed = try #require(stored["\(acknowledged[index].partition)/\(acknowledged[index].offset)"], "record \(index)")
            #expect(consumed.key == record.key && consumed.value == record.value, "record \(index)")
            #expect(consumed.headers.map(\.1) == record.headers.map(\.1), "record \(index)")
        }
    }

    /// Keyed and keyless, null and empty keys and values, every seventh with a header (alone,
    /// between runs), every eleventh to a chosen partition.
    static func mixedRecord(_ index: Int) -> OutgoingRecord {
        let key: [UInt8]? = index % 5 == 0 ? nil : (index % 13 == 0 ? [] : bytes("key-\(index % 41)"))
        let value: [UInt8]? = index % 17 == 0 ? nil : (index % 19 == 0 ? [] : bytes("value-\(index)"))
        let headers: [(String, [UInt8])] = index % 7 == 0 ? [("n", bytes("\(index)"))] : []
        let partition: Int32? = index % 11 == 0 ? Int32(index % 3) : nil
        return OutgoingRecord(key: key, value: value, headers: headers, partition: partition)
    }

    @Test func aRecordRefusedInsideARunFailsAloneAndTheOthersLand() throws {
        let fixture = try KafkaFixture()
        try fixture.createTopic("refused-in-run")
        let records = (0..<50).map { OutgoingRecord(key: bytes("k\($0)"), value: bytes("v\($0)"), partition: $0 == 20 ? 9 : nil) }
        let producer = try fixture.producer()
        let reports = FlatRecords(records).withProducible { view in
            producer.send(topic: "refused-in-run", records: view, deadline: deadline())
        }

        #expect(reports.map(\.index) == Array(records.indices))
        #expect(reports[20].error?.code == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION.rawValue, "\(String(describing: reports[20].error))")
        #expect(reports.filter { $0.index != 20 }.allSatisfy { $0.acknowledgement != nil })
    }

    /// With room for 50 records in librdkafka's queue, a run stops at the first record left out
    /// and goes on from there once reports make room: none is lost, none sent twice.
    @Test func aFullLocalQueueResumesAtTheFirstRecordLeftOut() throws {
        let fixture = try KafkaFixture()
        try fixture.createTopic("full-queue", partitions: 1)
        let configuration = KafkaConfiguration(
            bootstrapServers: fixture.cluster.bootstrapServers, properties: [("queue.buffering.max.messages", "50")])
        let producer = try KafkaProducer(configuration: configuration, logger: fixture.logger)
        let records = (0..<2000).map { OutgoingRecord(key: nil, value: bytes("v\($0)")) }
        let reports = FlatRecords(records).withProducible { view in
            producer.send(topic: "full-queue", records: view, deadline: deadline(seconds: 60))
        }

        #expect(reports.allSatisfy { $0.acknowledgement != nil }, "\(reports.first { $0.acknowledgement == nil }.map { "\($0)" } ?? "")")
        // One partition: the offsets are the records' order, each once.
        let offsets = reports.compactMap { $0.acknowledgement?.offset }
        let misplaced = offsets.indices.first { offsets[$0] != Int64($0) }
        #expect(offsets.count == records.count && misplaced == nil, "\(offsets.count) offsets, first out of place at \(String(describing: misplaced))")
        let result = try fixture.consumer().consumeAll(ConsumeRequest(topic: "full-queue", start: .beginning, maxRecords: 10_000, deadline: deadline()))
        let stored = result.records.map(\.value)
        #expect(stored.count == records.count && stored == records.map(\.value), "\(stored.count) records stored")
    }
}

/// `OutgoingRecord`s laid out in one buffer, handed over as `ProducibleRecords`.
struct FlatRecords {
    private var storage: [UInt8] = []
    private var spans: [(key: Range<Int>?, value: Range<Int>?, headers: [(name: Range<Int>, value: Range<Int>)], partition: Int32?)] = []

    init(_ records: [OutgoingRecord]) {
        func append(_ bytes: [UInt8]) -> Range<Int> {
            storage.append(contentsOf: bytes)
            return (storage.count - bytes.count)..<storage.count
        }
        for record in records {
            let key = record.key.map(append)
            let value = record.value.map(append)
            let headers = record.headers.map { (name: append(Array($0.0.utf8)), value: append($0.1)) }
            spans.append((key, value, headers, record.partition))
        }
    }

    func withProducible<R>(_ body: (View) -> R) -> R {
        storage.withUnsafeBytes { body(View(bytes: $0, spans: spans)) }
    }

    struct View: ProducibleRecords {
        let bytes: UnsafeRawBufferPointer
        let spans: [(key: Range<Int>?, value: Range<Int>?, headers: [(name: Range<Int>, value: Range<Int>)], partition: Int32?)]

        var count: Int { spans.count }

        func record(_ index: Int) -> RecordBytes {
            let span = spans[index]
            return RecordBytes(key: span.key.map(slice), value: span.value.map(slice), partition: span.partition, headerCount: span.headers.count)
        }

        func header(_ number: Int, ofRecord index: Int) -> (name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
            let header = spans[index].headers[number]
            return (slice(header.name), slice(header.value))
        }

        private func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: bytes[range])
        }
    }
}

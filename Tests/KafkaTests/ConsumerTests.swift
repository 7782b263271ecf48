import Kafka
import Testing

@Suite(.offCooperativePool) struct ConsumerTests {
    /// A one-partition topic holding `count` records with values "0", "1", ...
    private func fixture(topic: String, count: Int, partitions: Int = 1) throws -> KafkaFixture {
        let fixture = try KafkaFixture()
        try fixture.createTopic(topic, partitions: partitions)
        let reports = try fixture.producer().send(
            topic: topic, records: (0..<count).map { OutgoingRecord(value: bytes("\($0)"), partition: 0) }, deadline: deadline())
        #expect(reports.allSatisfy { $0.error == nil })
        return fixture
    }

    private func values(_ result: ConsumeResult) -> [String] {
        result.records.map { String(decoding: $0.value ?? [], as: UTF8.self) }
    }

    @Test func startPositions() throws {
        let fixture = try fixture(topic: "starts", count: 5)
        let consumer = try fixture.consumer()
        func read(_ start: StartPosition) throws -> ConsumeResult {
            try consumer.consumeAll(ConsumeRequest(topic: "starts", start: start, maxRecords: 100, deadline: deadline()))
        }
        #expect(values(try read(.beginning)) == ["0", "1", "2", "3", "4"])
        let fromEnd = try read(.end)
        #expect(fromEnd.records.isEmpty)
        #expect(fromEnd.reachedEnd)
        #expect(fromEnd.nextOffsets == [0: 5])
        #expect(values(try read(.offset(3))) == ["3", "4"])
        #expect(try read(.offset(3)).records.map(\.offset) == [3, 4])
        #expect(try read(.offset(99)).nextOffsets == [0: 5], "past the end is clamped to the end")
        #expect(values(try read(.offset(1))) == ["1", "2", "3", "4"], "the warm consumer goes back")
    }

    /// `.exactly` answers as a Kafka fetch does: the records from that offset, nothing at the high
    /// watermark, `OFFSET_OUT_OF_RANGE` past it (and below the earliest stored offset).
    @Test func anExactStartOutsideTheStoredRangeIsOffsetOutOfRange() throws {
        let fixture = try fixture(topic: "exact", count: 5)
        let consumer = try fixture.consumer()
        func read(_ offset: Int64) throws -> ConsumeResult {
            try consumer.consumeAll(ConsumeRequest(topic: "exact", partition: 0, start: .exactly(offset), maxRecords: 100, deadline: deadline()))
        }
        #expect(try read(2).records.map(\.offset) == [2, 3, 4])
        let atEnd = try read(5)
        #expect(atEnd.records.isEmpty && atEnd.reachedEnd)
        for outside: Int64 in [6, 999, -1] {
            do {
                _ = try read(outside)
                Issue.record("offset \(outside) was read")
            } catch let error as KafkaError {
                #expect(error.isOffsetOutOfRange, "\(error)")
                #expect(error.name == "OFFSET_OUT_OF_RANGE")
                #expect(error.message.contains("0 to 5"), "\(error.message)")
            }
        }
        #expect(try read(0).records.count == 5, "the consumer still serves")
    }

    @Test func stopsAtTheEndOfEveryPartitionWithoutWaitingForTheDeadline() throws {
        // Two of the three partitions stay empty.
        let fixture = try fixture(topic: "sparse", count: 2, partitions: 3)
        let started = ContinuousClock.now
        let result = try fixture.consumer().consumeAll(
            ConsumeRequest(topic: "sparse", start: .beginning, maxRecords: 100, deadline: deadline(seconds: 20)))
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(values(result) == ["0", "1"])
        #expect(result.reachedEnd)
        #expect(!result.stoppedEarly)
        #expect(result.nextOffsets == [0: 2, 1: 0, 2: 0])
    }

    @Test func anEmptyTopicReturnsAtOnce() throws {
        let fixture = try KafkaFixture()
        try fixture.createTopic("empty")
        let started = ContinuousClock.now
        let result = try fixture.consumer().consumeAll(
            ConsumeRequest(topic: "empty", start: .beginning, maxRecords: 100, deadline: deadline(seconds: 20)))
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(result.records.isEmpty)
        #expect(result.reachedEnd)
    }

    @Test func maxRecordsBoundsOneCall() throws {
        let fixture = try fixture(topic: "bounded", count: 10)
        let consumer = try fixture.consumer()
        let first = try consumer.consumeAll(ConsumeRequest(topic: "bounded", start: .beginning, maxRecords: 4, deadline: deadline()))
        #expect(values(first) == ["0", "1", "2", "3"])
        #expect(!first.reachedEnd)
        #expect(first.nextOffsets == [0: 4])
        let rest = try consumer.consumeAll(ConsumeRequest(topic: "bounded", start: .offset(4), maxRecords: 100, deadline: deadline()))
        #expect(values(rest) == ["4", "5", "6", "7", "8", "9"])
    }

    /// Between calls the consumer pauses its partitions; a topic assigned again after another one
    /// must fetch again (librdkafka keeps a partition's pause across assignments).
    @Test func aTopicReadAgainAfterAnotherOneIsFetchedAgain() throws {
        let fixture = try fixture(topic: "first", count: 3)
        try fixture.createTopic("second")
        _ = try fixture.producer().send(topic: "second", records: [OutgoingRecord(value: bytes("x"), partition: 0)], deadline: deadline())
        let consumer = try fixture.consumer()
        func read(_ topic: String) throws -> ConsumeResult {
            try consumer.consumeAll(ConsumeRequest(topic: topic, start: .beginning, maxRecords: 100, deadline: deadline(seconds: 20)))
        }
        #expect(values(try read("first")) == ["0", "1", "2"])
        #expect(values(try read("second")) == ["x"])
        let again = try read("first")
        #expect(values(again) == ["0", "1", "2"])
        #expect(again.reachedEnd)
        #expect(values(try read("second")) == ["x"])
    }

    @Test func aRejectedRecordIsWhereTheNextCallContinues() throws {
        let fixture = try fixture(topic: "rejecting", count: 10)
        let consumer = try fixture.consumer()
        var offered: [Int64] = []
        let first = try consumer.consume(ConsumeRequest(topic: "rejecting", start: .beginning, maxRecords: 100, deadline: deadline())) {
            offered.append($0.offset)
            return $0.offset < 3
        }
        #expect(offered == [0, 1, 2, 3])
        #expect(first.records.map(\.offset) == [0, 1, 2])
        #expect(first.stoppedEarly)
        #expect(!first.reachedEnd)
        #expect(first.nextOffsets == [0: 3])

        let next = try consumer.consumeAll(ConsumeRequest(topic: "rejecting", start: .offset(3), maxRecords: 2, deadline: deadline()))
        #expect(next.records.map(\.offset) == [3, 4])
        #expect(values(next) == ["3", "4"])
    }

    @Test func aGroupContinuesAfterWhatItWasReturned() throws {
        let fixture = try fixture(topic: "grouped", count: 10)
        let consumer = try fixture.consumer()
        let request = ConsumeRequest(topic: "grouped", start: .beginning, groupID: "group-a", maxRecords: 3, deadline: deadline())

        #expect(values(try consumer.consumeAll(request)) == ["0", "1", "2"])
        let second = try consumer.consume(request) { $0.offset != 4 }
        #expect(values(second) == ["3"])
        #expect(second.stoppedEarly)
        #expect(second.nextOffsets == [0: 4])

        // A cold consumer sees the committed offsets: the rejected record comes first.
        let cold = try fixture.consumer().consumeAll(request)
        #expect(values(cold) == ["4", "5", "6"])
        // The warm consumer notices the commit made by the other one.
        #expect(values(try consumer.consumeAll(request)) == ["7", "8", "9"])
        // `start` does not apply once the group has committed offsets.
        var fromBeginning = request
        fromBeginning.start = .beginning
        let drained = try consumer.consumeAll(fromBeginning)
        #expect(drained.records.isEmpty)
        #expect(drained.reachedEnd)
    }

    @Test func aGroupWithoutCommittedOffsetsStartsAtStartAndGroupsAreIndependent() throws {
        let fixture = try fixture(topic: "groups", count: 4)
        let consumer = try fixture.consumer()
        let fromEnd = try consumer.consumeAll(
            ConsumeRequest(topic: "groups", start: .end, groupID: "late", maxRecords: 10, deadline: deadline()))
        #expect(fromEnd.records.isEmpty)
        let other = try consumer.consumeAll(
            ConsumeRequest(topic: "groups", start: .beginning, groupID: "early", maxRecords: 10, deadline: deadline()))
        #expect(values(other) == ["0", "1", "2", "3"])
        let noGroup = try consumer.consumeAll(ConsumeRequest(topic: "groups", start: .beginning, maxRecords: 10, deadline: deadline()))
        #expect(noGroup.records.count == 4, "without a group nothing is committed")
        // Reading nothing committed nothing: `start` still applies to the late group.
        let late = try fixture.consumer().consumeAll(
            ConsumeRequest(topic: "groups", start: .beginning, groupID: "late", maxRecords: 10, deadline: deadline()))
        #expect(values(late) == ["0", "1", "2", "3"])
    }

    @Test func consumingAMissingTopicThrowsWithoutCreatingIt() throws {
        let fixture = try KafkaFixture()
        #expect(throws: KafkaError.self) {
            _ = try fixture.consumer().consumeAll(ConsumeRequest(topic: "missing", start: .beginning, maxRecords: 1, deadline: deadline()))
        }
        #expect(try fixture.admin().listTopics(deadline: deadline()).allSatisfy { $0.name != "missing" })
    }
}

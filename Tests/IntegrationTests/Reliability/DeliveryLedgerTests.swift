import Foundation
import TestSupport
import Testing

/// The duplicate check of the fault scenarios tells a batch appended twice (the mock's known
/// issue) from any other duplicate.
@Suite(.offCooperativePool) struct DeliveryLedgerTests {
    /// Records 0 and 1 acknowledged at partition 0, offsets 2 and 3.
    static let answer = InvokeResult(
        status: 200, headers: [:],
        body: Data(#"{"records":[{"index":0,"partition":0,"offset":2},{"index":1,"partition":0,"offset":3}]}"#.utf8))

    @Test func aBatchAppendedBeforeItsAcknowledgedRetryHasTheKnownShape() throws {
        let consumed = [(0, 0), (1, 1), (0, 2), (1, 3)].map { ConsumedRecord(partition: 0, offset: Int64($0.1), id: $0.0) }
        let summary = DeliverySummary(scenario: "s", sent: 2, answer: try ProduceAnswer(Self.answer), consumed: consumed)
        #expect(summary.duplicates == 2)
        #expect(summary.strayCopies.map(\.offset) == [0, 1])
        #expect(summary.strayCopiesAreEarlierAppendsOfTheSameBatches)
    }

    @Test func aCopyAfterTheAcknowledgedOneOrInAnotherPartitionDoesNot() throws {
        let later = [(0, 2), (1, 3), (0, 4)].map { ConsumedRecord(partition: 0, offset: Int64($0.1), id: $0.0) }
        #expect(!DeliverySummary(scenario: "s", sent: 2, answer: try ProduceAnswer(Self.answer), consumed: later)
            .strayCopiesAreEarlierAppendsOfTheSameBatches)
        let elsewhere = [ConsumedRecord(partition: 1, offset: 0, id: 1)]
            + [(0, 2), (1, 3)].map { ConsumedRecord(partition: 0, offset: Int64($0.1), id: $0.0) }
        #expect(!DeliverySummary(scenario: "s", sent: 2, answer: try ProduceAnswer(Self.answer), consumed: elsewhere)
            .strayCopiesAreEarlierAppendsOfTheSameBatches)
        // Out of order: the strays hold 1 then 0, the acknowledged copies 0 then 1.
        let swapped = [(1, 0), (0, 1), (0, 2), (1, 3)].map { ConsumedRecord(partition: 0, offset: Int64($0.1), id: $0.0) }
        #expect(!DeliverySummary(scenario: "s", sent: 2, answer: try ProduceAnswer(Self.answer), consumed: swapped)
            .strayCopiesAreEarlierAppendsOfTheSameBatches)
    }
}

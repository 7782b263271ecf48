import Foundation
import TestSupport

/// What one produce invocation said about its records: acknowledged (where) or failed (why).
struct ProduceAnswer {
    var errorType: String?
    var acknowledged: [Int: (partition: Int, offset: Int64)] = [:]
    var failed: [Int: String] = [:]
    /// Indices listed more than once across `records` and `failed_records`.
    var listedTwice: [Int] = []

    init(_ result: InvokeResult) throws {
        let body = try result.jsonObject()
        errorType = body["errorType"] as? String
        for entry in body["records"] as? [[String: Any]] ?? [] {
            let index = try requireValue(entry["index"] as? Int, "a record without index: \(entry)")
            let partition = try requireValue(entry["partition"] as? Int, "a record without partition: \(entry)")
            let offset = try requireValue((entry["offset"] as? NSNumber)?.int64Value, "a record without offset: \(entry)")
            if acknowledged.updateValue((partition, offset), forKey: index) != nil { listedTwice.append(index) }
        }
        for entry in body["failed_records"] as? [[String: Any]] ?? [] {
            let index = try requireValue(entry["index"] as? Int, "a failed record without index: \(entry)")
            let reason = entry["error"] as? String ?? ""
            if failed.updateValue(reason, forKey: index) != nil || acknowledged[index] != nil { listedTwice.append(index) }
        }
    }
}

/// One record read back from the topic.
struct ConsumedRecord {
    var partition: Int
    var offset: Int64
    /// The `id` of a scenario record's value; nil for anything else (warm-up records).
    var id: Int?
}

enum TopicReader {
    /// Reads every partition of `topic` from offset 0 to its latest offset, through the function.
    static func readAll(_ topic: String, through emulator: EmulatorHarness) throws -> [ConsumedRecord] {
        let offsets = try emulator.invoke(#"{"action":"offsets","topic":"\#(topic)"}"#)
        let partitions = try requireValue(
            try offsets.jsonObject()["partitions"] as? [[String: Any]], "no partitions in \(offsets.text.prefix(300))")
        var records: [ConsumedRecord] = []
        for entry in partitions {
            let partition = try requireValue(entry["partition"] as? Int, "bad offsets entry \(entry)")
            let latest = try requireValue((entry["latest"] as? NSNumber)?.int64Value, "bad offsets entry \(entry)")
            var next = try requireValue((entry["earliest"] as? NSNumber)?.int64Value, "bad offsets entry \(entry)")
            var emptyReads = 0
            while next < latest {
                let batch = try readPartition(topic, partition: partition, from: next, through: emulator)
                records += batch.records
                emptyReads = batch.records.isEmpty ? emptyReads + 1 : 0
                guard emptyReads < 5 else {
                    throw EmulatorHarnessError("partition \(partition) of \(topic) stays empty at \(next) < \(latest)")
                }
                next = max(next, batch.next)
            }
        }
        return records
    }

    private static func readPartition(
        _ topic: String, partition: Int, from offset: Int64, through emulator: EmulatorHarness
    ) throws -> (records: [ConsumedRecord], next: Int64) {
        let event = #"{"action":"consume","topic":"\#(topic)","partition":\#(partition),"from":\#(offset),"max_records":100000,"timeout_ms":20000}"#
        let result = try emulator.invoke(event)
        guard result.functionError == nil else {
            throw EmulatorHarnessError("consume failed: \(result.text.prefix(500))")
        }
        let body = try result.jsonObject()
        var records: [ConsumedRecord] = []
        var next = offset
        for entry in body["records"] as? [[String: Any]] ?? [] {
            let recordOffset = try requireValue((entry["offset"] as? NSNumber)?.int64Value, "no offset in \(entry)")
            let id = (entry["value"] as? [String: Any])?["id"] as? Int
            records.append(ConsumedRecord(partition: partition, offset: recordOffset, id: id))
            next = max(next, recordOffset + 1)
        }
        for entry in body["next_offsets"] as? [[String: Any]] ?? [] where entry["partition"] as? Int == partition {
            if let offset = (entry["offset"] as? NSNumber)?.int64Value { next = max(next, offset) }
        }
        return (records, next)
    }
}

/// Acknowledged records against what the topic holds afterwards.
struct DeliverySummary: CustomStringConvertible {
    var scenario: String
    var sent: Int
    var acknowledged: Int
    var reportedFailed: Int
    /// Scenario records read back, counting every copy.
    var foundOnConsume: Int
    /// Acknowledged but not in the topic.
    var lost: Int
    /// Acknowledged and in the topic more than once.
    var duplicates: Int
    /// Reported failed, yet in the topic (allowed: in flight when the deadline came).
    var unacknowledgedWritten: Int
    /// Neither acknowledged nor reported failed.
    var unaccounted: Int
    /// Listed twice in the answer (acknowledged twice, or both acknowledged and failed).
    var listedTwice: Int
    /// Acknowledged at a partition and offset that holds another record.
    var misplaced: Int
    /// Ids in the topic that were never sent.
    var unknownIDs: Int
    /// Copies of acknowledged records found elsewhere than where the answer put them.
    var strayCopies: [(partition: Int, offset: Int64, id: Int)] = []

    init(scenario: String, sent: Int, answer: ProduceAnswer, consumed: [ConsumedRecord]) {
        self.scenario = scenario
        self.sent = sent
        acknowledged = answer.acknowledged.count
        reportedFailed = answer.failed.count
        listedTwice = answer.listedTwice.count
        var copies: [Int: Int] = [:]
        var byPosition: [String: Int] = [:]
        for record in consumed {
            guard let id = record.id else { continue }
            copies[id, default: 0] += 1
            byPosition["\(record.partition)/\(record.offset)"] = id
        }
        foundOnConsume = copies.values.reduce(0, +)
        lost = answer.acknowledged.keys.filter { copies[$0] == nil }.count
        duplicates = answer.acknowledged.keys.filter { (copies[$0] ?? 0) > 1 }.count
        unacknowledgedWritten = answer.failed.keys.filter { copies[$0] != nil }.count
        unaccounted = (0..<sent).filter { answer.acknowledged[$0] == nil && answer.failed[$0] == nil }.count
        misplaced = answer.acknowledged.filter { index, place in
            byPosition["\(place.partition)/\(place.offset)"] != index
        }.count
        unknownIDs = copies.keys.filter { !(0..<sent).contains($0) }.count
        strayCopies = consumed.compactMap { record in
            guard let id = record.id, (copies[id] ?? 0) > 1, let place = answer.acknowledged[id],
                  place.partition != record.partition || place.offset != record.offset
            else { return nil }
            return (record.partition, record.offset, id)
        }.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
        strayCopiesAreEarlierAppendsOfTheSameBatches = Self.areEarlierAppends(strayCopies, of: answer)
    }

    /// Whether every stray copy is what a batch appended twice leaves: in its record's partition,
    /// before the acknowledged copy, and the strays of a partition are consecutive offsets holding
    /// consecutive ids, in the order the acknowledged copies have (the retry's first append, whose
    /// answer was lost with the connection).
    var strayCopiesAreEarlierAppendsOfTheSameBatches = true

    private static func areEarlierAppends(
        _ strays: [(partition: Int, offset: Int64, id: Int)], of answer: ProduceAnswer
    ) -> Bool {
        for (index, stray) in strays.enumerated() {
            guard let place = answer.acknowledged[stray.id], place.partition == stray.partition, place.offset > stray.offset
            else { return false }
            guard index > 0, strays[index - 1].partition == stray.partition else { continue }
            let previous = strays[index - 1]
            let previousPlace = answer.acknowledged[previous.id]
            // Within a run: the next offset holds the record acknowledged right after the previous one.
            if stray.offset == previous.offset + 1, previousPlace.map({ $0.offset + 1 == place.offset }) != true {
                return false
            }
        }
        return true
    }

    var description: String {
        "scenario=\(scenario) sent=\(sent) acknowledged=\(acknowledged) reported_failed=\(reportedFailed) "
            + "found_on_consume=\(foundOnConsume) lost=\(lost) duplicates=\(duplicates) "
            + "unacknowledged_written=\(unacknowledgedWritten) unaccounted=\(unaccounted) misplaced=\(misplaced)"
    }
}

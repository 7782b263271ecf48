import JSON
import Kafka

/// The actions a direct or EventBridge event names in `action`. A new case makes the compiler
/// point at every place that must handle it (decoding, running, metrics).
package enum ActionName: String, CaseIterable, Sendable {
    case produce, consume, offsets

    /// `produce, consume, offsets` with `lastSeparator` before the last name, for error messages.
    package static func list(lastSeparator: String) -> String {
        let names = allCases.map(\.rawValue)
        return names.dropLast().joined(separator: ", ") + lastSeparator + (names.last ?? "")
    }
}

/// What one event asks for, fully validated.
package enum ActionRequest {
    case produce(ProduceRequest)
    case consume(ConsumeOptions)
    case offsets(topic: String)
}

package struct ProduceRequest {
    package enum Records {
        case supplied(SuppliedRecords)
        /// The built-in sample records, sent when the event names none.
        case samples
        /// `count` records of `valueBytes` bytes each, for load tests; reported per partition.
        case generated(count: Int, valueBytes: Int)
    }

    package var topic: String
    package var records: Records
    package var numPartitions: Int32
    /// -1 asks the broker for its default (CreateTopics v4 and later).
    package var replicationFactor: Int16
    package var createTopic: Bool

    package init(topic: String, records: Records, numPartitions: Int32, replicationFactor: Int16, createTopic: Bool) {
        self.topic = topic
        self.records = records
        self.numPartitions = numPartitions
        self.replicationFactor = replicationFactor
        self.createTopic = createTopic
    }

    /// How many records the answer lists one by one (generated load is summarised per partition).
    package var listedRecordCount: Int {
        switch records {
        case let .supplied(records): return records.count
        case .samples: return SampleRecords.records.count
        case .generated: return 0
        }
    }
}

package struct ConsumeOptions {
    package var topic: String
    package var start: StartPosition
    package var partition: Int32?
    package var groupID: String?
    package var maxRecords: Int
    /// nil: the default, derived from the invocation's remaining time.
    package var timeoutMilliseconds: Int64?
    /// `"stream": true`: answer as a response stream of JSON Lines (see `StreamedConsume`).
    package var stream = false
}

extension ActionRequest {
    /// The metrics' `Action` dimension.
    package var name: ActionName {
        switch self {
        case .produce: .produce
        case .consume: .consume
        case .offsets: .offsets
        }
    }

    package var actionName: String { name.rawValue }

    package var topic: String {
        switch self {
        case let .produce(request): request.topic
        case let .consume(options): options.topic
        case let .offsets(topic): topic
        }
    }
}

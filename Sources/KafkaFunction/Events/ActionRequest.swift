import Kafka

/// What one event asks for, fully validated.
enum ActionRequest {
    case produce(ProduceRequest)
    case consume(ConsumeOptions)
    case offsets(topic: String)
}

struct ProduceRequest {
    enum Records {
        case supplied(SuppliedRecords)
        /// The built-in sample records, sent when the event names none.
        case samples
        /// `count` records of `valueBytes` bytes each, for load tests; reported per partition.
        case generated(count: Int, valueBytes: Int)
    }

    var topic: String
    var records: Records
    var numPartitions: Int32
    /// -1 asks the broker for its default (CreateTopics v4 and later).
    var replicationFactor: Int16
    var createTopic: Bool

    /// How many records the answer lists one by one (generated load is summarised per partition).
    var listedRecordCount: Int {
        switch records {
        case let .supplied(records): return records.count
        case .samples: return SampleRecords.records.count
        case .generated: return 0
        }
    }
}

struct ConsumeOptions {
    var topic: String
    var start: StartPosition
    var partition: Int32?
    var groupID: String?
    var maxRecords: Int
    /// nil: the default, derived from the invocation's remaining time.
    var timeoutMilliseconds: Int64?
    /// `"stream": true`: answer as a response stream of JSON Lines (see `StreamedConsume`).
    var stream = false
}

import JSON
import Kafka

/// The parts of a consume answer that the buffered and the streamed forms write alike.
extension JSONWriter {
    /// `{"action":"consume","topic":...[,"group_id":...]`, left open for what follows.
    package mutating func writeConsumeHead(_ options: ConsumeOptions) {
        appendASCII("{\"action\":\"consume\",\"topic\":")
        writeString(options.topic)
        if let groupID = options.groupID {
            appendASCII(",\"group_id\":")
            writeString(groupID)
        }
    }

    /// `,"end_of_partitions":...,"truncated":...,"next_offsets":[...]`.
    package mutating func writeConsumeOutcome(_ result: ConsumeResult) {
        appendASCII(",\"end_of_partitions\":\(result.reachedEnd)")
        appendASCII(",\"truncated\":\(result.stoppedEarly)")
        appendASCII(",\"next_offsets\":")
        write(.array(result.nextOffsets.keys.sorted().compactMap { partition in
            result.nextOffsets[partition].map { .object([("partition", .integer(partition)), ("offset", .integer($0))]) }
        }))
    }
}

import JSON
import Kafka

/// Earliest and latest offset of every partition: what a client asks before reading from a position.
package enum OffsetsAction {
    package static func run(topic: String, clients: any KafkaAccess, deadline: ContinuousClock.Instant) throws(FunctionError) -> [UInt8] {
        let admin = try clients.admin()
        let partitions: [PartitionOffsets]
        do {
            partitions = try admin.offsets(topic: topic, deadline: deadline)
        } catch where error.isUnknownTopic {
            throw FunctionError(.topicNotFound, "Topic '\(topic)' does not exist")
        } catch {
            throw .kafka(error, while: "reading offsets of topic '\(topic)'")
        }
        return JSONWriter.serialize(.object([
            ("action", .string("offsets")),
            ("topic", .string(topic)),
            ("partitions", .array(partitions.map { offsets in
                .object([
                    ("partition", .integer(offsets.partition)),
                    ("earliest", .integer(offsets.earliest)),
                    ("latest", .integer(offsets.latest)),
                ])
            })),
        ]))
    }
}

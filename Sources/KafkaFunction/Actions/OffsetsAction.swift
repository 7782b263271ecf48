import Kafka

/// Earliest and latest offset of every partition: what a client asks before reading from a position.
enum OffsetsAction {
    static func run(topic: String, clients: KafkaClients, deadline: ContinuousClock.Instant) throws(FunctionError) -> [UInt8] {
        let partitions: [PartitionOffsets]
        do {
            guard try clients.admin().topicMetadata(topic, deadline: deadline) != nil else {
                throw FunctionError(.topicNotFound, "Topic '\(topic)' does not exist")
            }
            partitions = try clients.admin().offsets(topic: topic, deadline: deadline)
        } catch let error as FunctionError {
            throw error
        } catch let error as KafkaError {
            throw .kafka(error, while: "reading offsets of topic '\(topic)'")
        } catch {
            throw FunctionError(.kafkaError, "Reading offsets of topic '\(topic)' failed: \(error)")
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

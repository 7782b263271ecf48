extension KafkaConsumer {
    /// Commits `offsets` (the next offset to read, per partition of `topic`) for `groupID`
    /// without reading, and waits for the coordinator's answer.
    public func commit(groupID: String, topic: String, offsets: [Int32: Int64], deadline: ContinuousClock.Instant) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        try withSession(groupID: groupID) { (session) throws(KafkaError) in
            try session.commit(topic: topic, offsets: offsets, deadline: deadline)
        }
    }

    /// The offsets `groupID` committed for these partitions of `topic`; partitions without one are left out.
    public func committed(groupID: String, topic: String, partitions: [Int32], deadline: ContinuousClock.Instant) throws(KafkaError) -> [Int32: Int64] {
        guard !partitions.isEmpty else { return [:] }
        return try withSession(groupID: groupID) { (session) throws(KafkaError) -> [Int32: Int64] in
            try session.committedOffsets(topic: topic, partitions: partitions, deadline: deadline)
        }
    }
}

import FunctionMetrics
import JSON
import Kafka

/// Reads records with a bounded wait and returns them in the response body, which never grows
/// past Lambda's response limit: records that would not fit are left for the next call.
package enum ConsumeAction {
    /// Lambda's synchronous response limit.
    package static let responseLimitBytes = 6_291_556
    /// Room kept for everything around the records (next offsets per partition, counters).
    package static let envelopeReserveBytes = 64 * 1024
    package static let defaultTimeout: Duration = .seconds(5)

    /// The most bytes of rendered records a direct invocation's answer may carry.
    package static let directResponseBudget = responseLimitBytes - envelopeReserveBytes

    package struct Answer {
        package var body: [UInt8]
        package var recordCount: Int
        /// Key and value bytes of the records returned.
        package var recordBytes: Int
    }

    package static func run(
        _ options: ConsumeOptions, clients: any KafkaAccess, deadline: ContinuousClock.Instant,
        responseBudget budget: Int = directResponseBudget
    ) throws(FunctionError) -> Answer {
        let started = ContinuousClock.now
        let timeout = options.timeoutMilliseconds.map { Duration.milliseconds($0) } ?? defaultTimeout
        let consumeDeadline = min(deadline, started + timeout)

        // One buffer, written once in order: the envelope's head, each record as it arrives, the tail.
        // Its capacity is reserved up front; only the pages written are ever touched.
        var body = JSONWriter(reservingCapacity: budget + envelopeReserveBytes)
        body.writeConsumeHead(options)
        body.appendASCII(",\"records\":[")
        let recordsStart = body.bytes.count
        var tally = ConsumeRecords.Tally()
        let result = try ConsumeRecords.consume(options, clients: clients, deadline: consumeDeadline) { record in
            let start = body.bytes.count
            if tally.count > 0 { body.appendLiteral(",") }
            RecordRenderer.render(record, into: &body)
            guard body.bytes.count - recordsStart <= budget else {
                body.truncate(to: start)
                return false
            }
            tally.add(record)
            return true
        }

        body.appendASCII("],\"count\":")
        body.writeInteger(tally.count)
        body.writeConsumeOutcome(result)
        body.appendASCII(",\"elapsed_ms\":\((ContinuousClock.now - started).wholeMilliseconds)}")
        return Answer(body: body.bytes, recordCount: tally.count, recordBytes: tally.recordBytes)
    }
}
